// Expired rows do not pile up (CONTRACT §7): `oakgate prune` and the gateway's periodic task
// delete what is past its use and keep everything that is still live.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/eventually.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

class PruneE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url(), {{"OAKGATE_PRUNE_INTERVAL", "1"}});
    auto r = RunOakgate({"user", "create", "--email", "owner@example.com", "--password-stdin"},
                        gw_->env(), "owner password\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    user_ = db_->Scalar("SELECT id FROM users WHERE email_normalized = 'owner@example.com'");
    db_->Scalar("INSERT INTO clients (id, name) VALUES ('prune-client', 'Prune')");
  }
  static void TearDownTestSuite() {
    delete gw_;
    delete db_;
  }
  static std::string Count(const std::string& table, const std::string& where = "true") {
    return db_->Scalar("SELECT count(*) FROM " + table + " WHERE " + where);
  }
  // A family expiring at `expires` with one access and one refresh token; returns its id.
  static std::string Family(const std::string& expires, const std::string& tag) {
    std::string id = db_->Scalar(
        "INSERT INTO token_families (client_id, user_id, expires_at) VALUES ('prune-client', '" +
        user_ + "', " + expires + ") RETURNING id");
    db_->Scalar(
        "INSERT INTO access_tokens (token_hash, family_id, client_id, user_id, expires_at)"
        " VALUES (sha256('at-" +
        tag + "'), " + id + ", 'prune-client', '" + user_ + "', least(" + expires +
        ", now() + interval '1 hour'))");
    db_->Scalar("INSERT INTO refresh_tokens (token_hash, family_id) VALUES (sha256('rt-" + tag +
                "'), " + id + ")");
    return id;
  }
  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static std::string user_;
};

TestDatabase* PruneE2E::db_ = nullptr;
GatewayProcess* PruneE2E::gw_ = nullptr;
std::string PruneE2E::user_;

TEST_F(PruneE2E, PruneDeletesWhatIsPastItsUseAndKeepsWhatIsLive) {
  // Past their use.
  db_->Scalar(
      "INSERT INTO sessions (token_hash, user_id, expires_at, idle_expires_at) VALUES"
      " (sha256('s-old'), '" +
      user_ +
      "', now() - interval '1 s', now() - interval '1 s'),"
      " (sha256('s-idle'), '" +
      user_ + "', now() + interval '1 h', now() - interval '1 s')");
  db_->Scalar(
      "INSERT INTO login_failures (account, client_address, failed_at) VALUES"
      " ('a@example.com', '10.0.0.1', now() - interval '1 day')");
  std::string old_family = Family("now() - interval '1 second'", "old");
  db_->Scalar(
      "INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri,"
      " code_challenge, expires_at) VALUES (sha256('c-old'), 'prune-client', '" +
      user_ + "', 'http://127.0.0.1/cb', 'x', now() - interval '2 days')");
  db_->Scalar(
      "INSERT INTO audit_events (type, created_at) VALUES ('old', now() - interval '400 days')");
  // Still live.
  db_->Scalar(
      "INSERT INTO sessions (token_hash, user_id, expires_at, idle_expires_at) VALUES"
      " (sha256('s-live'), '" +
      user_ + "', now() + interval '1 h', now() + interval '1 h')");
  db_->Scalar(
      "INSERT INTO login_failures (account, client_address) VALUES"
      " ('a@example.com', '10.0.0.2')");
  std::string live_family = Family("now() + interval '30 days'", "live");
  db_->Scalar(
      "INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri,"
      " code_challenge, expires_at, used_at) VALUES (sha256('c-used'), 'prune-client', '" +
      user_ + "', 'http://127.0.0.1/cb', 'x', now() - interval '10 seconds', now())");
  db_->Scalar("INSERT INTO audit_events (type) VALUES ('new')");

  // The command line (the gateway's own task may already have taken some of it: the totals
  // are not asserted, the rows are).
  auto r = RunOakgate({"prune"}, gw_->env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = nlohmann::json::parse(r.out);
  for (const char* kind : {"sessions", "login_failures", "authorization_codes", "token_families",
                           "access_tokens", "decisions", "audit_events"}) {
    EXPECT_TRUE(out.contains(kind)) << r.out;
  }

  EXPECT_EQ(Count("sessions"), "1");
  EXPECT_EQ(Count("sessions", "token_hash = sha256('s-live')"), "1");
  EXPECT_EQ(Count("login_failures"), "1");
  EXPECT_EQ(Count("token_families", "id = " + old_family), "0");
  EXPECT_EQ(Count("access_tokens", "family_id = " + old_family), "0") << "cascade";
  EXPECT_EQ(Count("refresh_tokens", "family_id = " + old_family), "0") << "cascade";
  EXPECT_EQ(Count("token_families", "id = " + live_family), "1");
  EXPECT_EQ(Count("access_tokens", "family_id = " + live_family), "1");
  EXPECT_EQ(Count("authorization_codes"), "1") << "a just-used code stays for replay detection";
  EXPECT_EQ(Count("audit_events"), "1");
}

TEST_F(PruneE2E, TheGatewayPrunesPeriodically) {
  db_->Scalar(
      "INSERT INTO login_failures (account, client_address, failed_at) VALUES"
      " ('periodic@example.com', '10.0.0.3', now() - interval '1 day')");
  Eventually([&] { return Count("login_failures", "account = 'periodic@example.com'") == "0"; },
             std::chrono::seconds(20), std::chrono::milliseconds(100));
  EXPECT_EQ(Count("login_failures", "account = 'periodic@example.com'"), "0");
}

TEST_F(PruneE2E, LogoutMakesTheSessionPrunable) {
  db_->Scalar(
      "INSERT INTO sessions (token_hash, user_id, expires_at, idle_expires_at, ended_at)"
      " VALUES (sha256('s-ended'), '" +
      user_ +
      "', now() + interval '1 h',"
      " now(), now())");
  auto r = RunOakgate({"prune"}, gw_->env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count("sessions", "token_hash = sha256('s-ended')"), "0");
}

}  // namespace
}  // namespace oakgate::test
