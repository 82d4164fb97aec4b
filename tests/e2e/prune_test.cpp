// Expired rows do not pile up (CONTRACT §7): `oakgate prune` and the gateway's periodic task
// delete what is past its use and keep everything that is still live.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/eventually.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
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
  // One statement, so the gateway's own prune (every second here) never sees an expired family
  // without its tokens, and never deletes it between the inserts.
  static std::string Family(const std::string& expires, const std::string& tag) {
    return db_->Scalar(
        "WITH f AS (INSERT INTO token_families (client_id, user_id, expires_at)"
        " VALUES ('prune-client', '" +
        user_ + "', " + expires +
        ") RETURNING id, expires_at),"
        " a AS (INSERT INTO access_tokens (token_hash, family_id, client_id, user_id, expires_at)"
        " SELECT sha256('at-" +
        tag + "'), id, 'prune-client', '" + user_ +
        "', least(expires_at, now() + interval '1 hour') FROM f),"
        " r AS (INSERT INTO refresh_tokens (token_hash, family_id) SELECT sha256('rt-" +
        tag +
        "'), id FROM f)"
        " SELECT id FROM f");
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
  // Pruning deletes a prefix of the audit chain (sql/0011_audit_chain.sql): the trail starts
  // afresh here, so the old event is its oldest and not behind the setup's young ones.
  db_->Scalar("TRUNCATE audit_events; UPDATE audit_chain_head SET last_id = 0, hash = '\\x" +
              std::string(64, '0') + "'");
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

// A rotation and a prune of the same family, at the moment the family reaches its absolute
// expiry. The prune deletes the family and then, by cascade, its tokens; a rotation that locked
// the refresh token before the family would wait for the prune while the prune waits for it (a
// deadlock, one of them aborted), or insert into a family the prune has deleted (a foreign-key
// failure). A trigger holds the rotation between its statements, so the two always overlap.
class RotationPruneE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>();
    gw_ = std::make_unique<GatewayProcess>(db_->url());
    auto r = RunOakgate({"user", "create", "--email", "rot@example.com", "--password-stdin"},
                        gw_->env(), "rotation password\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    user_ = db_->Scalar("SELECT id FROM users WHERE email_normalized = 'rot@example.com'");
    db_->Scalar(
        "INSERT INTO clients (id, name, grant_types, redirect_uris) VALUES ('rot-client', 'Rot',"
        " '{authorization_code,refresh_token}', '{http://127.0.0.1/cb}')");
  }
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<GatewayProcess> gw_;
  std::string user_;
};

TEST_F(RotationPruneE2E, ARotationAndAPruneOfTheSameFamilyNeitherDeadlockNorFail) {
  const std::string token = "ort_" + std::string(43, 'r');
  std::string family = db_->Scalar(
      "WITH f AS (INSERT INTO token_families (client_id, user_id, expires_at) VALUES"
      " ('rot-client', '" +
      user_ +
      "', now() + interval '1 second') RETURNING id),"
      " r AS (INSERT INTO refresh_tokens (token_hash, family_id) SELECT sha256('" +
      token + "'), id FROM f) SELECT id FROM f");
  // Every update of this family's refresh tokens takes two seconds, holding its locks.
  db_->Scalar(
      "CREATE FUNCTION hold() RETURNS trigger LANGUAGE plpgsql AS"
      " $$ BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$");
  db_->Scalar(
      "CREATE TRIGGER hold AFTER UPDATE ON refresh_tokens FOR EACH ROW WHEN (OLD.family_id = " +
      family + ") EXECUTE FUNCTION hold()");

  // The rotation reads a live family, then is held inside its transaction.
  auto refresh = std::async(std::launch::async, [&] {
    return Fetch(gw_->port(), "POST", "/oauth/token",
                 {{"Content-Type", "application/x-www-form-urlencoded"}},
                 FormEncode({{"grant_type", "refresh_token"},
                             {"refresh_token", token},
                             {"client_id", "rot-client"}}));
  });
  Eventually(
      [&] {
        return db_->Scalar(
                   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                   " AND wait_event = 'PgSleep'") != "0";
      },
      std::chrono::seconds(10), std::chrono::milliseconds(20));
  // The family passes its absolute expiry while the rotation is held; the prune runs then.
  Eventually(
      [&] {
        return db_->Scalar("SELECT (expires_at < now())::text FROM token_families WHERE id = " +
                           family) == "true";
      },
      std::chrono::seconds(10), std::chrono::milliseconds(20));
  auto prune = std::async(std::launch::async, [&]() -> std::string {
    try {
      db_->Scalar(
          "DELETE FROM token_families WHERE id IN (SELECT id FROM token_families"
          " WHERE expires_at < now() LIMIT 100)");
      return "";
    } catch (const std::exception& e) {
      return e.what();
    }
  });

  HttpResponse answer = refresh.get();
  std::string prune_error = prune.get();
  EXPECT_EQ(prune_error, "") << "the prune must not be the victim of a deadlock";
  EXPECT_TRUE(answer.status == 200 || answer.status == 400) << answer.status << " " << answer.body;
  if (answer.status == 400) {
    EXPECT_NE(answer.body.find("invalid_grant"), std::string::npos);
  }
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM token_families WHERE id = " + family), "0");
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM refresh_tokens WHERE family_id = " + family), "0");
  EXPECT_EQ(gw_->Logs().find("deadlock"), std::string::npos) << gw_->Logs();
  EXPECT_EQ(gw_->Logs().find("foreign key"), std::string::npos) << gw_->Logs();
}

}  // namespace
}  // namespace oakgate::test
