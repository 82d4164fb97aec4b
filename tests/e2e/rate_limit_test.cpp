// The per-agent rate limit of /v1/validate (CONTRACT §6) held across two gateway instances on
// one database: each leases tokens from the shared bucket in PostgreSQL in small chunks.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double Sample(const std::string& exposition, const std::string& series) {
  size_t pos = 0;
  while ((pos = exposition.find(series + " ", pos)) != std::string::npos) {
    if (pos == 0 || exposition[pos - 1] == '\n') {
      return std::stod(exposition.substr(pos + series.size() + 1));
    }
    pos += series.size();
  }
  return 0;  // a counter not yet incremented is not exposed
}

double Leases(int port) {
  std::string m = Fetch(port, "GET", "/metrics").body;
  return Sample(m, R"(oakgate_rate_limit_leases_total{result="granted"})") +
         Sample(m, R"(oakgate_rate_limit_leases_total{result="empty"})");
}

class RateLimitE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    a_ = new GatewayProcess(db_->url());
    b_ = new GatewayProcess(db_->url());
    CreateTestClient(a_->env(), "mgmt");
    std::string user = CreateTestUser(a_->env(), "rate@example.com");
    token_ = new std::string(IssueTestAccessToken(db_->url(), "mgmt", user, "keys agents"));
  }
  static void TearDownTestSuite() {
    delete token_;
    delete b_;
    delete a_;
    delete db_;
  }

  // An agent with this limit, a tool and a rule that allows it, and a key; returns the key.
  static std::string AgentKey(const std::string& name, int64_t rate, int64_t burst) {
    auto agent = CallApi(a_->port(), "POST", "/api/v1/agents", *token_,
                         {{"name", name}, {"rate_limit", rate}, {"burst", burst}});
    EXPECT_EQ(agent.status, 201) << agent.raw.body;
    std::string id = agent.body.value("id", "");
    EXPECT_EQ(CallApi(a_->port(), "POST", "/api/v1/agents/" + id + "/tools", *token_,
                      {{"name", "github"}, {"scopes", {"read"}}})
                  .status,
              201);
    EXPECT_EQ(CallApi(a_->port(), "POST", "/api/v1/agents/" + id + "/rules", *token_,
                      {{"tool", "github"}, {"scope", "read"}})
                  .status,
              201);
    auto key = CallApi(a_->port(), "POST", "/api/v1/auth/api-keys", *token_,
                       {{"name", "k"}, {"agent_id", id}});
    EXPECT_EQ(key.status, 201) << key.raw.body;
    return key.body.value("key", "");
  }

  static const json& Body() {
    static const json body = {{"tool", "github"}, {"scope", "read"}};
    return body;
  }

  static TestDatabase* db_;
  static GatewayProcess* a_;
  static GatewayProcess* b_;
  static std::string* token_;
};

TestDatabase* RateLimitE2E::db_ = nullptr;
GatewayProcess* RateLimitE2E::a_ = nullptr;
GatewayProcess* RateLimitE2E::b_ = nullptr;
std::string* RateLimitE2E::token_ = nullptr;

TEST_F(RateLimitE2E, TwoInstancesTogetherAdmitOneRateAndOneBurst) {
  const int64_t rate = 60, burst = 20;
  std::string key = AgentKey("shared", rate, burst);
  int64_t allowed = 0, limited = 0, allowed_a = 0, allowed_b = 0;
  const auto start = Clock::now();
  for (int i = 0; Clock::now() - start < std::chrono::seconds(4); ++i) {
    bool on_a = i % 2 == 0;
    auto r = CallValidate((on_a ? a_ : b_)->port(), key, Body());
    if (r.status == 200) {
      ++allowed;
      ++(on_a ? allowed_a : allowed_b);
      EXPECT_EQ(r.body["allowed"], true) << r.raw.body;
    } else {
      ASSERT_EQ(r.status, 429) << r.raw.body;
      ++limited;
      EXPECT_TRUE(r.raw.Header("retry-after")) << "answer " << i;
      EXPECT_EQ(r.raw.Header("ratelimit-limit"), std::to_string(burst));
    }
  }
  const double minutes = std::chrono::duration<double>(Clock::now() - start).count() / 60;
  const double bound = burst + rate * minutes;
  RecordProperty("allowed", static_cast<int>(allowed));
  RecordProperty("limited", static_cast<int>(limited));
  RecordProperty("leases", static_cast<int>(Leases(a_->port()) + Leases(b_->port())));
  EXPECT_LE(allowed, bound * 1.1) << "one bucket for both instances, not one each";
  EXPECT_GE(allowed, burst) << "the burst is there, shared";
  EXPECT_GT(allowed_a, 0);
  EXPECT_GT(allowed_b, 0);
  EXPECT_GT(limited, 0) << "the test sent more than the limit";
}

TEST_F(RateLimitE2E, OneInstanceAloneStillGetsItsWholeBurst) {
  // 1 a minute: no token refills during the test.
  std::string key = AgentKey("alone", 1, 20);
  for (int i = 0; i < 20; ++i) {
    auto r = CallValidate(a_->port(), key, Body());
    ASSERT_EQ(r.status, 200) << "request " << i << ": " << r.raw.body;
    EXPECT_EQ(r.raw.Header("ratelimit-remaining"), std::to_string(19 - i));
  }
  auto a = CallValidate(a_->port(), key, Body());
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.raw.Header("ratelimit-remaining"), "0");
  auto b = CallValidate(b_->port(), key, Body());
  EXPECT_EQ(b.status, 429) << "the other instance sees the same bucket";
}

TEST_F(RateLimitE2E, ABusyAgentLeasesTokensInChunksNotPerRequest) {
  // 1000 a second with a burst of 1000: chunks of 50 tokens (1/20 of each).
  std::string key = AgentKey("busy", 60000, 1000);
  const double before = Leases(a_->port());
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(CallValidate(a_->port(), key, Body()).status, 200) << i;
  }
  const double leases = Leases(a_->port()) - before;
  RecordProperty("leases", static_cast<int>(leases));
  EXPECT_GE(leases, 200 / 50);
  // At most one lease per 50 requests, plus one per second the 200 requests took (a lease
  // left unspent expires after a second).
  EXPECT_LE(leases, 20) << "not a statement per request";
  EXPECT_EQ(db_->Scalar("SELECT relpersistence FROM pg_class WHERE relname = 'rate_buckets'"), "u")
      << "the buckets are UNLOGGED: no WAL for each lease";
}

}  // namespace
}  // namespace oakgate::test
