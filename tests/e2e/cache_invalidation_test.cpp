// Issue 7: introspection answers from an in-process cache, and every instance on the same
// database sees a revocation within a second (LISTEN/NOTIFY), also after its listener
// connection was lost.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/support/api_client.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Refuses new connections to the suite's database while it lives (ALTER DATABASE, from the
// maintenance database), and keeps one connection of its own open to change rows meanwhile.
class NewConnectionsRefused {
 public:
  explicit NewConnectionsRefused(const TestDatabase& db) : db_(db), conn_(db.url()) {
    Allow(false);
  }
  ~NewConnectionsRefused() {
    try {
      Allow(true);
    } catch (...) {
    }
  }
  NewConnectionsRefused(const NewConnectionsRefused&) = delete;
  NewConnectionsRefused& operator=(const NewConnectionsRefused&) = delete;
  void Exec(const std::string& sql) {
    pqxx::nontransaction tx(conn_);
    tx.exec(sql);
  }

 private:
  void Allow(bool allow) {
    pqxx::connection admin(TestDatabaseUrl("postgres"));
    pqxx::nontransaction tx(admin);
    tx.exec("ALTER DATABASE " + db_.name() + " ALLOW_CONNECTIONS " + (allow ? "true" : "false"));
  }
  const TestDatabase& db_;
  pqxx::connection conn_;
};

class CacheInvalidationE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    a_ = new GatewayProcess(db_->url());
    b_ = new GatewayProcess(db_->url());
    rs_ = new TestClient(CreateClient(
        *a_, "rs", "", {"--confidential", "--introspect", "--grant-types", "client_credentials"}));
    svc_ = new TestClient(
        CreateClient(*a_, "svc", "", {"--confidential", "--grant-types", "client_credentials"}));
  }
  static void TearDownTestSuite() {
    delete rs_;
    delete svc_;
    delete a_;
    delete b_;
    delete db_;
  }
  static std::string NewToken() {
    auto r = PostForm(a_->port(), "/oauth/token",
                      {{"grant_type", "client_credentials"},
                       {"client_id", svc_->id},
                       {"client_secret", svc_->secret}});
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).value("access_token", "");
  }
  static bool Active(const GatewayProcess& gw, const std::string& token) {
    auto r = IntrospectToken(gw.port(), *rs_, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).value("active", false);
  }
  static double Metric(const GatewayProcess& gw, const std::string& line_prefix) {
    auto r = Fetch(gw.port(), "GET", "/metrics");
    size_t at = r.body.find("\n" + line_prefix + " ");
    if (at == std::string::npos) return -1;
    return std::stod(r.body.substr(at + line_prefix.size() + 2));
  }
  // How long until `gw` answers inactive for `token`, polling for at most 5 s.
  static std::chrono::milliseconds TimeUntilInactive(const GatewayProcess& gw,
                                                     const std::string& token,
                                                     Clock::time_point since) {
    while (Clock::now() - since < std::chrono::seconds(5)) {
      if (!Active(gw, token)) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
      }
    }
    return std::chrono::milliseconds(5000);
  }
  static void WaitLive(const GatewayProcess& gw) {
    if (!Eventually([&] { return Metric(gw, "oakgate_cache_live") == 1; }, std::chrono::seconds(10),
                    std::chrono::milliseconds(20))) {
      FAIL() << "the cache never went live";
    }
  }

  static TestDatabase* db_;
  static GatewayProcess* a_;
  static GatewayProcess* b_;
  static TestClient* rs_;
  static TestClient* svc_;
};

TestDatabase* CacheInvalidationE2E::db_ = nullptr;
GatewayProcess* CacheInvalidationE2E::a_ = nullptr;
GatewayProcess* CacheInvalidationE2E::b_ = nullptr;
TestClient* CacheInvalidationE2E::rs_ = nullptr;
TestClient* CacheInvalidationE2E::svc_ = nullptr;

TEST_F(CacheInvalidationE2E, RepeatedIntrospectionIsAnsweredFromTheCache) {
  WaitLive(*b_);
  std::string token = NewToken();
  ASSERT_TRUE(Active(*b_, token));  // fills the cache
  double hits =
      Metric(*b_, R"(oakgate_cache_requests_total{cache="active_access_tokens",result="hit"})");
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Active(*b_, token));
  double after =
      Metric(*b_, R"(oakgate_cache_requests_total{cache="active_access_tokens",result="hit"})");
  EXPECT_GE(after - std::max(hits, 0.0), 20);
  // The cached answer is the same document the database path gives.
  auto cached = json::parse(IntrospectToken(b_->port(), *rs_, token).body);
  auto fresh = json::parse(IntrospectToken(a_->port(), *rs_, NewToken()).body);
  EXPECT_EQ(cached["client_id"], "svc");
  EXPECT_EQ(cached["token_type"], "Bearer");
  for (const auto& [k, v] : fresh.items()) EXPECT_TRUE(cached.contains(k)) << k;
}

TEST_F(CacheInvalidationE2E, RevocationOnOneInstanceIsSeenByTheOtherWithinASecond) {
  WaitLive(*b_);
  std::string token = NewToken();
  ASSERT_TRUE(Active(*b_, token));
  ASSERT_TRUE(Active(*b_, token));  // cached on B
  auto revoked_at = Clock::now();
  auto r = PostForm(a_->port(), "/oauth/revoke",
                    {{"token", token}, {"client_id", svc_->id}, {"client_secret", svc_->secret}});
  ASSERT_EQ(r.status, 200) << r.body;
  // Read-your-writes on A, at once.
  EXPECT_FALSE(Active(*a_, token));
  EXPECT_LT(TimeUntilInactive(*b_, token, revoked_at).count(), 1000);
}

TEST_F(CacheInvalidationE2E, ChangesMadeOutsideTheGatewayAreSeenToo) {
  WaitLive(*b_);
  std::string token = NewToken();
  ASSERT_TRUE(Active(*b_, token));
  ASSERT_TRUE(Active(*b_, token));
  auto changed_at = Clock::now();
  // An operator revoking the family by hand (or the CLI): the trigger notifies.
  db_->Scalar("UPDATE token_families SET revoked_at = now() WHERE client_id = 'svc'");
  EXPECT_LT(TimeUntilInactive(*b_, token, changed_at).count(), 1000);
}

// The loss itself drops the caches, and nothing is cached until the listener is back. With
// new connections to the database refused, the listener cannot come back: a revocation it
// never heard of is seen all the same, and it is seen before any reconnection.
TEST_F(CacheInvalidationE2E, ALostListenerDropsTheCacheAndReconnects) {
  // One database connection for all of C's workers, opened by its first cache miss, so C can
  // still read while new connections are refused.
  GatewayProcess c(db_->url(), {{"OAKGATE_DB_POOL", "1"}});
  WaitLive(c);
  std::string token = NewToken();
  std::string other = NewToken();
  ASSERT_TRUE(Active(c, token));
  ASSERT_TRUE(Active(c, token));  // cached on C
  const std::string kHits =
      R"(oakgate_cache_requests_total{cache="active_access_tokens",result="hit"})";
  double connects = Metric(c, "oakgate_cache_listener_connects_total");
  {
    NewConnectionsRefused refused(*db_);
    refused.Exec(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE application_name = 'oakgate-listener' AND datname = current_database()");
    ASSERT_TRUE(Eventually([&] { return Metric(c, "oakgate_cache_live") == 0; }))
        << "C never noticed its listener was gone";
    // Nothing is cached while the listener is down: two answers, no hit.
    double hits = Metric(c, kHits);
    EXPECT_TRUE(Active(c, other));
    EXPECT_TRUE(Active(c, other));
    EXPECT_EQ(Metric(c, kHits), hits);
    // Its notification goes nowhere, yet the very next answer has it.
    refused.Exec("UPDATE access_tokens SET revoked_at = now() WHERE revoked_at IS NULL");
    EXPECT_FALSE(Active(c, token));
    EXPECT_EQ(Metric(c, "oakgate_cache_listener_connects_total"), connects)
        << "the listener came back while new connections were refused";
    EXPECT_EQ(Metric(c, "oakgate_cache_live"), 0);
  }
  // Connections allowed again: it comes back, and caches again.
  WaitLive(c);
  EXPECT_GT(Metric(c, "oakgate_cache_listener_connects_total"), connects);
  std::string fresh = NewToken();
  ASSERT_TRUE(Active(c, fresh));
  double hits = Metric(c, kHits);
  ASSERT_TRUE(Active(c, fresh));
  EXPECT_GT(Metric(c, kHits), hits);
}

TEST_F(CacheInvalidationE2E, AWrongSecretIsNeverAcceptedFromTheCache) {
  WaitLive(*b_);
  TestClient rs2 = CreateClient(
      *a_, "rs2", "", {"--confidential", "--introspect", "--grant-types", "client_credentials"});
  std::string token = NewToken();
  ASSERT_EQ(IntrospectToken(b_->port(), rs2, token).status, 200);  // rs2 is cached on B
  TestClient wrong = rs2;
  wrong.secret = "not-the-secret";
  auto r = IntrospectToken(b_->port(), wrong, token);
  EXPECT_EQ(r.status, 401) << r.body;
  // Rotating the secret elsewhere evicts the cached client: the old secret stops at once.
  auto rotated = RunOakgate({"client", "rotate-secret", "--id", "rs2"}, a_->env());
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  auto since = Clock::now();
  int status = 200;
  while (Clock::now() - since < std::chrono::seconds(5)) {
    status = IntrospectToken(b_->port(), rs2, token).status;
    if (status == 401) break;
  }
  EXPECT_EQ(status, 401);
  EXPECT_LT(Clock::now() - since, std::chrono::seconds(1));
}

// API keys and agent policies are cached for /v1/validate and introspection too: key
// revocation and a rule change on A are seen by B within a second.
TEST_F(CacheInvalidationE2E, KeyRevocationAndRuleChangesReachTheOtherInstance) {
  WaitLive(*b_);
  CreateTestClient(a_->env(), "mgmt");
  std::string user = CreateTestUser(a_->env(), "keys@example.com");
  std::string token = IssueTestAccessToken(db_->url(), "mgmt", user, "keys agents");
  auto agent = CallApi(a_->port(), "POST", "/api/v1/agents", token,
                       {{"name", "bot"}, {"rate_limit", 100000}, {"burst", 100000}});
  ASSERT_EQ(agent.status, 201) << agent.raw.body;
  std::string agent_id = agent.body["id"];
  ASSERT_EQ(CallApi(a_->port(), "POST", "/api/v1/agents/" + agent_id + "/tools", token,
                    {{"name", "github"}, {"scopes", {"read", "write"}}})
                .status,
            201);
  auto rule = CallApi(a_->port(), "POST", "/api/v1/agents/" + agent_id + "/rules", token,
                      {{"tool", "github"}, {"scope", "read"}});
  ASSERT_EQ(rule.status, 201) << rule.raw.body;
  std::string rule_id = rule.body["id"];
  auto key = CallApi(a_->port(), "POST", "/api/v1/auth/api-keys", token,
                     {{"name", "k"}, {"agent_id", agent_id}});
  ASSERT_EQ(key.status, 201);
  std::string secret = key.body["key"];
  std::string key_id = key.body["key_id"];
  json read = {{"tool", "github"}, {"scope", "read"}};
  ASSERT_EQ(CallValidate(b_->port(), secret, read).status, 200);
  ASSERT_TRUE(CallValidate(b_->port(), secret, read).body.value("allowed", false));  // cached
  // The second was decided from memory, answered once its decision committed.
  EXPECT_GE(Metric(*b_, R"(oakgate_validate_requests_total{path="reactor"})"), 1);
  EXPECT_EQ(
      std::stoi(db_->Scalar("SELECT count(*) FROM decisions WHERE agent_id = '" + agent_id + "'")),
      2);

  // The rule, changed on A to ask for reasoning, applies on B within a second.
  ASSERT_EQ(CallApi(a_->port(), "PATCH", "/api/v1/agents/" + agent_id + "/rules/" + rule_id, token,
                    {{"require_reasoning", "hard"}})
                .status,
            200);
  auto since = Clock::now();
  bool denied = false;
  while (!denied && Clock::now() - since < std::chrono::seconds(5)) {
    denied = !CallValidate(b_->port(), secret, read).body.value("allowed", true);
  }
  EXPECT_TRUE(denied);
  EXPECT_LT(Clock::now() - since, std::chrono::seconds(1));

  // Introspection of the key is cached on B as well; revocation on A ends it there.
  auto r = IntrospectToken(b_->port(), *rs_, secret);
  ASSERT_TRUE(json::parse(r.body).value("active", false)) << r.body;
  ASSERT_EQ(CallApi(a_->port(), "DELETE", "/api/v1/auth/api-keys/" + key_id, token).status, 204);
  since = Clock::now();
  int status = 200;
  while (status != 401 && Clock::now() - since < std::chrono::seconds(5)) {
    status = CallValidate(b_->port(), secret, read).status;
  }
  EXPECT_EQ(status, 401);
  EXPECT_LT(Clock::now() - since, std::chrono::seconds(1));
  EXPECT_FALSE(json::parse(IntrospectToken(b_->port(), *rs_, secret).body).value("active", true));
}

}  // namespace
}  // namespace oakgate::test
