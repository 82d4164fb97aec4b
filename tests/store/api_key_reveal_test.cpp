// PgApiKeyStore against a real PostgreSQL: a new key and the dashboard's one-time reveal slot
// (sql/0008) commit together or not at all. A key whose slot failed to be written would be
// issued while its page says "shown once" and shows nothing (issue 20).
#include <gtest/gtest.h>

#include "gateway/store/pg/migrator.hpp"
#include "gateway/store/pg/pg_database.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::store {
namespace {

class ApiKeyRevealStore : public ::testing::Test {
 protected:
  void SetUp() override {
    pg::ApplyMigrations(db_.url());
    user_ = db_.Scalar(
        "INSERT INTO users (email, email_normalized, password_hash)"
        " VALUES ('a@example.com', 'a@example.com', 'x') RETURNING id");
    agent_ = db_.Scalar("INSERT INTO agents (user_id, name) VALUES ('" + user_ +
                        "', 'default') RETURNING id");
    // The agent lands in the user's personal organization (sql/0012's triggers).
    org_ = db_.Scalar("SELECT org_id FROM agents WHERE id = '" + agent_ + "'");
    session_ = std::stoll(db_.Scalar(
        "INSERT INTO sessions (token_hash, user_id, expires_at, idle_expires_at)"
        " VALUES (decode(repeat('ab', 32), 'hex'), '" +
        user_ + "', now() + interval '1 hour', now() + interval '1 hour') RETURNING id"));
  }

  NewApiKey Key(std::string key_id, std::optional<KeyReveal> reveal) {
    return NewApiKey{std::move(key_id), std::string(32, 'h'), user_, "", agent_, "k", {},
                     std::nullopt,      std::move(reveal)};
  }
  AuditEvent Audit(std::string type) {
    AuditEvent e;
    e.type = std::move(type);
    e.user_id = user_;
    e.actor = "user:" + user_ + " dashboard";
    return e;
  }
  std::string Count(const std::string& table) {
    return db_.Scalar("SELECT count(*) FROM " + table);
  }

  test::TestDatabase db_;
  std::string user_, agent_, org_;
  int64_t session_ = 0;
};

TEST_F(ApiKeyRevealStore, AKeyAndItsRevealSlotAreWrittenTogether) {
  pg::PgDatabase pg(db_.url());
  pg.ApiKeys().Insert(Key("pk_AAAAAAAAAAAAAAA1", KeyReveal{session_, "sealed-1"}),
                      Audit("api_key.created"));
  EXPECT_EQ(Count("api_keys"), "1");
  EXPECT_EQ(pg.Sessions().TakeReveal(session_, "pk_AAAAAAAAAAAAAAA1"), "sealed-1");
  EXPECT_EQ(pg.Sessions().TakeReveal(session_, "pk_AAAAAAAAAAAAAAA1"), std::nullopt)
      << "taken once";
  // Without a slot (the API, the command line) none is written.
  pg.ApiKeys().Insert(Key("pk_AAAAAAAAAAAAAAA2", std::nullopt), Audit("api_key.created"));
  EXPECT_EQ(Count("dashboard_reveals"), "0");
}

TEST_F(ApiKeyRevealStore, WhenTheSlotCannotBeWrittenNoKeyIsIssued) {
  pg::PgDatabase pg(db_.url());
  // The session ended (signed out everywhere) between the form's check and the write: the
  // slot's row cannot exist, so the key must not either.
  db_.Scalar("DELETE FROM sessions");
  EXPECT_ANY_THROW(pg.ApiKeys().Insert(Key("pk_AAAAAAAAAAAAAAA1", KeyReveal{session_, "sealed"}),
                                       Audit("api_key.created")));
  EXPECT_EQ(Count("api_keys"), "0");
  EXPECT_EQ(Count("audit_events WHERE type = 'api_key.created'"), "0");
}

TEST_F(ApiKeyRevealStore, WhenARotationsSlotCannotBeWrittenTheOldKeyIsUntouched) {
  pg::PgDatabase pg(db_.url());
  pg.ApiKeys().Insert(Key("pk_AAAAAAAAAAAAAAA1", std::nullopt), Audit("api_key.created"));
  db_.Scalar("DELETE FROM sessions");
  EXPECT_ANY_THROW(pg.ApiKeys().Rotate(org_, "pk_AAAAAAAAAAAAAAA1",
                                       Key("pk_AAAAAAAAAAAAAAA2", KeyReveal{session_, "sealed"}), 0,
                                       Audit("api_key.rotated")));
  EXPECT_EQ(Count("api_keys"), "1");
  EXPECT_EQ(db_.Scalar("SELECT expires_at IS NULL FROM api_keys"), "t")
      << "the old key still works and never expires";
  // The connection is usable afterwards, and a rotation with a live session succeeds.
  session_ = std::stoll(
      db_.Scalar("INSERT INTO sessions (token_hash, user_id, expires_at, idle_expires_at)"
                 " VALUES (decode(repeat('cd', 32), 'hex'), '" +
                 user_ + "', now() + interval '1 hour', now() + interval '1 hour') RETURNING id"));
  auto rotated = pg.ApiKeys().Rotate(org_, "pk_AAAAAAAAAAAAAAA1",
                                     Key("pk_AAAAAAAAAAAAAAA2", KeyReveal{session_, "sealed-2"}), 0,
                                     Audit("api_key.rotated"));
  ASSERT_TRUE(rotated);
  EXPECT_EQ(pg.Sessions().TakeReveal(session_, "pk_AAAAAAAAAAAAAAA2"), "sealed-2");
}

}  // namespace
}  // namespace oakgate::store
