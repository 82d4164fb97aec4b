// /metrics in Prometheus text format (CONTRACT §7), accepted by promtool.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;

// promtool's findings on an exposition ("" when it accepts it without lint findings).
std::string Promtool(const std::string& exposition, int* status) {
  char path[] = "/tmp/oakgate-metrics.XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream(path) << exposition;
  std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  if (!p) {
    *status = -1;
    return "popen failed";
  }
  char buf[512];
  while (fgets(buf, sizeof(buf), p)) out += buf;
  *status = pclose(p);
  unlink(path);
  return out;
}

// The value of one series, or -1 when it is absent.
double Sample(const std::string& exposition, const std::string& series) {
  size_t pos = 0;
  while ((pos = exposition.find(series + " ", pos)) != std::string::npos) {
    if (pos == 0 || exposition[pos - 1] == '\n') {
      return std::stod(exposition.substr(pos + series.size() + 1));
    }
    pos += series.size();
  }
  return -1;
}

TEST(MetricsE2E, CountsRequestsByRouteAndStatusAndPassesPromtool) {
  TestDatabase db;
  GatewayProcess gw(db.url());
  ASSERT_EQ(Fetch(gw.port(), "GET", "/healthz").status, 200);
  ASSERT_EQ(Fetch(gw.port(), "GET", "/no/such/path/a1b2").status, 404);
  ASSERT_EQ(PostLogin(gw.port(), FetchLoginForm(gw.port()), "nobody@example.com", "x").status, 401);

  auto r = Fetch(gw.port(), "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = r.body;
  EXPECT_NE(m.find(R"(oakgate_http_requests_total{route="/healthz",method="GET",status="200"} 1)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(R"(oakgate_http_requests_total{route="unmatched",method="other",status="404"})"),
            std::string::npos)
      << "unknown paths share one series";
  EXPECT_EQ(m.find("a1b2"), std::string::npos) << "no request data in label values";
  EXPECT_NE(m.find(R"(oakgate_http_request_duration_seconds_bucket{route="/web/login",le="+Inf"})"),
            std::string::npos);
  EXPECT_NE(m.find(R"(oakgate_login_failures_total{reason="invalid_credentials"} 1)"),
            std::string::npos);
  EXPECT_NE(m.find("oakgate_worker_queue_depth "), std::string::npos);
  EXPECT_NE(m.find("oakgate_build_info{version="), std::string::npos);

  // promtool (Debian's prometheus package) reads the exposition from stdin.
  int status = 0;
  std::string out = Promtool(m, &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "") << "promtool lint findings";
}

TEST(MetricsE2E, CountsTokensByGrantReuseDecisionsBatchesAndTheDatabasePool) {
  TestDatabase db;
  GatewayProcess gw(db.url());
  const std::string password = "correct horse battery staple";
  CreateUser(gw, "alice@example.com", password);
  TestClient app = CreateClient(gw, "app", "https://app.example/cb", {"--first-party"});
  TestClient svc = CreateClient(
      gw, "svc", "", {"--confidential", "--introspect", "--grant-types", "client_credentials"});
  std::string session = LoginSession(gw.port(), "alice@example.com", password);

  // authorization_code, then refresh, then the retired refresh token again (reuse).
  Pkce pkce = NewPkce();
  auto redeemed =
      RedeemCode(gw.port(), app, AuthorizeCode(gw.port(), app, session, pkce), pkce.verifier);
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;
  std::string refresh = json::parse(redeemed.body)["refresh_token"];
  ASSERT_EQ(Refresh(gw.port(), app, refresh).status, 200);
  ASSERT_EQ(Refresh(gw.port(), app, refresh).status, 400) << "reuse is refused";
  ASSERT_EQ(PostForm(gw.port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                     {{"Authorization", BasicAuth(svc.id, svc.secret)}})
                .status,
            200);

  // Decisions: one allowed, one denied (unknown tool), then the bucket runs dry.
  CreateTestClient(gw.env(), "mgmt");
  std::string owner = CreateTestUser(gw.env(), "owner@example.com");
  std::string token = IssueTestAccessToken(db.url(), "mgmt", owner, "keys agents");
  auto agent = CallApi(gw.port(), "POST", "/api/v1/agents", token,
                       {{"name", "worker"}, {"rate_limit", 1}, {"burst", 2}});
  ASSERT_EQ(agent.status, 201) << agent.raw.body;
  std::string agent_id = agent.body["id"];
  ASSERT_EQ(CallApi(gw.port(), "POST", "/api/v1/agents/" + agent_id + "/tools", token,
                    {{"name", "github"}, {"scopes", {"read"}}})
                .status,
            201);
  ASSERT_EQ(CallApi(gw.port(), "POST", "/api/v1/agents/" + agent_id + "/rules", token,
                    {{"tool", "github"}, {"scope", "read"}})
                .status,
            201);
  auto key = CallApi(gw.port(), "POST", "/api/v1/auth/api-keys", token,
                     {{"name", "k"}, {"agent_id", agent_id}});
  ASSERT_EQ(key.status, 201) << key.raw.body;
  std::string api_key = key.body["key"];
  EXPECT_EQ(CallValidate(gw.port(), api_key, {{"tool", "github"}, {"scope", "read"}}).status, 200);
  EXPECT_EQ(CallValidate(gw.port(), api_key, {{"tool", "jira"}, {"scope", "read"}}).status, 200);
  EXPECT_EQ(CallValidate(gw.port(), api_key, {{"tool", "github"}, {"scope", "read"}}).status, 429);

  // An unknown access token: the database answers once, the cache the second time.
  const std::string unknown = "oat_" + std::string(43, 'Q');
  for (int i = 0; i < 2; ++i) {
    auto in = IntrospectToken(gw.port(), svc, unknown);
    ASSERT_EQ(in.status, 200) << in.body;
    EXPECT_EQ(json::parse(in.body)["active"], false);
  }

  auto r = Fetch(gw.port(), "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  const std::string& m = r.body;
  EXPECT_EQ(
      Sample(m, R"(oakgate_cache_requests_total{cache="inactive_access_tokens",result="hit"})"), 1);
  EXPECT_EQ(
      Sample(m, R"(oakgate_cache_requests_total{cache="inactive_access_tokens",result="miss"})"),
      1);
  EXPECT_EQ(Sample(m, R"(oakgate_cache_entries{cache="inactive_access_tokens"})"), 1);
  EXPECT_EQ(Sample(m, R"(oakgate_tokens_issued_total{grant="authorization_code"})"), 1) << m;
  EXPECT_EQ(Sample(m, R"(oakgate_tokens_issued_total{grant="refresh_token"})"), 1);
  EXPECT_EQ(Sample(m, R"(oakgate_tokens_issued_total{grant="client_credentials"})"), 1);
  EXPECT_EQ(Sample(m, R"(oakgate_token_errors_total{error="invalid_grant"})"), 1);
  EXPECT_EQ(Sample(m, "oakgate_refresh_reuse_detected_total"), 1);
  EXPECT_EQ(Sample(m, R"(oakgate_decisions_total{outcome="allowed",reason="none"})"), 1);
  EXPECT_EQ(Sample(m, R"(oakgate_decisions_total{outcome="denied",reason="unknown_tool"})"), 1);
  EXPECT_EQ(Sample(m, R"(oakgate_decisions_total{outcome="rate_limited",reason="rate_limited"})"),
            1);
  // Burst 2, chunks of 1 token: two leases got a token, the third found the bucket empty.
  EXPECT_EQ(Sample(m, R"(oakgate_rate_limit_leases_total{result="granted"})"), 2);
  EXPECT_EQ(Sample(m, R"(oakgate_rate_limit_leases_total{result="empty"})"), 1);
  // Two decisions were written, in one or two group commits.
  EXPECT_EQ(Sample(m, "oakgate_decision_batch_size_sum"), 2);
  double batches = Sample(m, "oakgate_decision_batch_commit_seconds_count");
  EXPECT_TRUE(batches == 1 || batches == 2) << batches;
  EXPECT_EQ(Sample(m, R"(oakgate_decision_batch_size_bucket{le="+Inf"})"), batches);
  EXPECT_GE(Sample(m, "oakgate_db_connections_open"), 1);
  EXPECT_GE(Sample(m, "oakgate_db_connections_in_use"), 0);
  EXPECT_GE(Sample(m, R"(oakgate_db_connects_total{result="ok"})"), 1);
  EXPECT_GE(Sample(m, "oakgate_worker_queue_wait_seconds_count"), 10);
  EXPECT_EQ(m.find("oakgate_db_errors_total"), std::string::npos) << "no database error happened";

  int status = 0;
  std::string out = Promtool(m, &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "") << "promtool lint findings";
}

}  // namespace
}  // namespace oakgate::test
