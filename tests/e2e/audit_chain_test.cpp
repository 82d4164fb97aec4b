// The audit trail is tamper-evident (security.md G11): every row is chained to the one before
// it by SHA-256 (sql/0011_audit_chain.sql), and `oakgate audit verify` walks the chain.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

// A database of its own for each test, since two of them break the chain on purpose.
class AuditChainE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    worker_ = new TestClient(CreateClient(
        *gw_, "worker", "", {"--confidential", "--grant-types", "client_credentials"}));
    CreateTestClient(gw_->env(), "mgmt");
    std::string user = CreateTestUser(gw_->env(), "chain@example.com");
    token_ = new std::string(IssueTestAccessToken(db_->url(), "mgmt", user, "keys agents"));
  }
  void TearDown() override {
    delete token_;
    delete worker_;
    delete gw_;
    delete db_;
  }
  static CommandResult Verify() {
    return RunOakgate({"audit", "verify"}, {{"OAKGATE_DATABASE_URL", db_->url()}});
  }
  // Audited writes from many connections at once: client-credentials tokens (their events go
  // in the token writer's batches) and API keys (each in its own transaction).
  static void WriteConcurrently(int threads, int each) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([t, each] {
        for (int i = 0; i < each; ++i) {
          if ((t + i) % 3 == 0) {
            auto key = CallApi(gw_->port(), "POST", "/api/v1/auth/api-keys", *token_,
                               {{"name", "k" + std::to_string(t) + "-" + std::to_string(i)}});
            EXPECT_EQ(key.status, 201) << key.raw.body;
          } else {
            auto r = PostForm(gw_->port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                              {{"Authorization", BasicAuth(worker_->id, worker_->secret)}});
            EXPECT_EQ(r.status, 200) << r.body;
          }
        }
      });
    }
    for (auto& th : pool) th.join();
  }
  static int64_t Count() { return std::stoll(db_->Scalar("SELECT count(*) FROM audit_events")); }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static TestClient* worker_;
  static std::string* token_;
};

TestDatabase* AuditChainE2E::db_ = nullptr;
GatewayProcess* AuditChainE2E::gw_ = nullptr;
TestClient* AuditChainE2E::worker_ = nullptr;
std::string* AuditChainE2E::token_ = nullptr;

TEST_F(AuditChainE2E, VerifyPassesOnACleanChainAfterConcurrentWrites) {
  WriteConcurrently(8, 15);
  int64_t rows = Count();
  ASSERT_GE(rows, 120);
  auto r = Verify();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK: " + std::to_string(rows) + " rows"), std::string::npos) << r.out;
  // The chain follows the ids: each row's prev_hash is the hash of the row before it.
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM (SELECT prev_hash, lag(hash) OVER (ORDER BY id) AS"
                        " before FROM audit_events) c WHERE before IS NOT NULL AND"
                        " prev_hash <> before"),
            "0");
}

TEST_F(AuditChainE2E, ChangingOneRowMakesVerifyNameIt) {
  WriteConcurrently(2, 3);
  std::string id = db_->Scalar("SELECT id FROM audit_events ORDER BY id OFFSET 3 LIMIT 1");
  db_->Scalar("UPDATE audit_events SET details = '{\"forged\": true}' WHERE id = " + id +
              " RETURNING id");
  auto r = Verify();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("BROKEN at row " + id + ":"), std::string::npos) << r.out;
}

TEST_F(AuditChainE2E, RemovingARowMakesVerifyNameTheRowAfterIt) {
  WriteConcurrently(2, 3);
  std::string gone = db_->Scalar("SELECT id FROM audit_events ORDER BY id DESC OFFSET 2 LIMIT 1");
  std::string next = db_->Scalar("SELECT min(id) FROM audit_events WHERE id > " + gone);
  db_->Scalar("DELETE FROM audit_events WHERE id = " + gone + " RETURNING id");
  auto r = Verify();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("BROKEN at row " + next + ":"), std::string::npos) << r.out;
}

TEST_F(AuditChainE2E, TheMigrationChainsTheRowsAlreadyThere) {
  // The trail as a release before 0011 left it: rows without hashes, no trigger, no head.
  db_->Scalar(
      "DROP TRIGGER audit_events_chain ON audit_events; DROP TABLE audit_chain_head;"
      " ALTER TABLE audit_events ALTER COLUMN id SET DEFAULT nextval('audit_events_id_seq');"
      // The sequence as that release would have moved it (the trigger drew ids without it).
      " SELECT setval('audit_events_id_seq', (SELECT coalesce(max(id), 1) FROM audit_events));"
      " UPDATE audit_events SET prev_hash = NULL, hash = NULL;"
      " DELETE FROM schema_migrations WHERE version LIKE '0011%'");
  WriteConcurrently(2, 3);
  db_->Scalar(
      "INSERT INTO audit_events (type, details) SELECT 'old.event', jsonb_build_object('n', g,"
      " 'name', 'Zoë') FROM generate_series(1, 20) g");
  int64_t rows = Count();
  auto migrate = RunOakgate({"migrate"}, {{"OAKGATE_DATABASE_URL", db_->url()}});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.err;
  auto r = Verify();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK: " + std::to_string(rows) + " rows"), std::string::npos) << r.out;
  // And what is written after it joins the chain.
  WriteConcurrently(2, 3);
  EXPECT_EQ(Verify().exit_code, 0);
}

TEST_F(AuditChainE2E, PruningRemovesOnlyAPrefixSoTheChainStillHolds) {
  auto old = [] {
    db_->Scalar(
        "INSERT INTO audit_events (type, created_at) SELECT 'old.event', now() - interval '400"
        " days' FROM generate_series(1, 3)");
  };
  // The trail afresh, so the first old rows are its oldest (the setup wrote young ones).
  db_->Scalar("TRUNCATE audit_events; UPDATE audit_chain_head SET last_id = 0, hash = '\\x" +
              std::string(64, '0') + "'");
  old();
  WriteConcurrently(2, 3);
  // An old time after young rows: deleting it would cut the chain in the middle.
  old();
  int64_t rows = Count();
  auto prune = RunOakgate({"prune"}, {{"OAKGATE_DATABASE_URL", db_->url()}});
  ASSERT_EQ(prune.exit_code, 0) << prune.err;
  EXPECT_EQ(Count(), rows - 3);
  auto r = Verify();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK: " + std::to_string(rows - 3) + " rows"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace oakgate::test
