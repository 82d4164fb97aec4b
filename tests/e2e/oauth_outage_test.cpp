// With PostgreSQL gone, no OAuth endpoint turns the failure into an OAuth answer (PITFALLS 2,
// 12): token, introspection and revocation answer 503 JSON with Retry-After, authorize an
// HTML 503 page, never a redirect. A private cluster, so stopping it disturbs no other suite.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/eventually.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/private_cluster.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;
constexpr const char* kPassword = "outage-password-123";

class OAuthOutageE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = std::make_unique<PrivateCluster>();
    url_ = pg_->url();
  }
  void TearDown() override {
    gw_.reset();  // the gateway first, then its database
    pg_.reset();
  }
  void StopDatabase() { ASSERT_TRUE(pg_->Stop()); }
  void StartDatabase() { ASSERT_TRUE(pg_->Start()); }

  std::unique_ptr<PrivateCluster> pg_;
  std::string url_;
  std::unique_ptr<GatewayProcess> gw_;
};

void Expect503Json(const HttpResponse& r, const char* what) {
  EXPECT_EQ(r.status, 503) << what << ": " << r.body;
  EXPECT_TRUE(r.Header("retry-after")) << what;
  EXPECT_EQ(r.Header("cache-control"), "no-store") << what;
  auto body = json::parse(r.body, nullptr, false);
  EXPECT_EQ(body.value("error", ""), "temporarily_unavailable") << what;
}

TEST_F(OAuthOutageE2E, DatabaseDownIs503NeverAnOAuthAnswer) {
  gw_ = std::make_unique<GatewayProcess>(url_);
  int port = gw_->port();
  CreateUser(*gw_, "ops@example.com", kPassword);
  TestClient app = CreateClient(*gw_, "app", "https://app.example/cb", {"--first-party"});
  TestClient rs = CreateClient(
      *gw_, "rs", "", {"--confidential", "--introspect", "--grant-types", "client_credentials"});
  std::string session = LoginSession(port, "ops@example.com", kPassword);
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port, app, session, pkce);
  auto granted = RedeemCode(port, app, code, pkce.verifier);
  ASSERT_EQ(granted.status, 200);
  json t = json::parse(granted.body);
  std::string code2 = AuthorizeCode(port, app, session, pkce);

  StopDatabase();
  EXPECT_TRUE(gw_->WaitReady(503, std::chrono::seconds(15)));
  Expect503Json(Refresh(port, app, t["refresh_token"]), "refresh");
  Expect503Json(RedeemCode(port, app, code2, pkce.verifier), "code");
  Expect503Json(IntrospectToken(port, rs, t["access_token"]), "introspect");
  Expect503Json(
      PostForm(port, "/oauth/revoke", {{"token", t["access_token"]}, {"client_id", "app"}}),
      "revoke");
  auto revoke_cors = PostForm(port, "/oauth/revoke", {{"token", "x"}, {"client_id", "app"}});
  EXPECT_EQ(revoke_cors.Header("access-control-allow-origin"), "*");
  Fields f = {{"response_type", "code"},          {"client_id", "app"},
              {"redirect_uri", app.redirect_uri}, {"state", "s"},
              {"code_challenge", pkce.challenge}, {"code_challenge_method", "S256"}};
  auto authorize = GetAuthorize(port, f, session);
  EXPECT_EQ(authorize.status, 503);
  EXPECT_FALSE(authorize.Header("location")) << "never a redirect";
  EXPECT_NE(authorize.Header("content-type").value_or("").find("text/html"), std::string::npos);
  // Discovery needs no database.
  EXPECT_EQ(Fetch(port, "GET", "/.well-known/oauth-authorization-server").status, 200);

  StartDatabase();
  EXPECT_TRUE(gw_->WaitReady(200, std::chrono::seconds(20)));
  // Nothing was spent while the database was away: the same refresh token and code work.
  auto refreshed = Refresh(port, app, t["refresh_token"]);
  EXPECT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_EQ(RedeemCode(port, app, code2, pkce.verifier).status, 200);
}

TEST_F(OAuthOutageE2E, RefreshUnderLoadWhileTheDatabaseStopsNeverSaysInvalidGrant) {
  gw_ = std::make_unique<GatewayProcess>(url_);
  int port = gw_->port();
  CreateUser(*gw_, "ops@example.com", kPassword);
  TestClient app = CreateClient(*gw_, "app", "https://app.example/cb", {"--first-party"});
  TestClient rs = CreateClient(
      *gw_, "rs", "", {"--confidential", "--introspect", "--grant-types", "client_credentials"});
  std::string session = LoginSession(port, "ops@example.com", kPassword);

  // Each worker refreshes its own chain; a 503 keeps the token and retries it, as a client
  // must. A 400 would mean a database failure was reported as invalid_grant (or a retry after
  // an in-doubt commit was taken for reuse).
  constexpr int kWorkers = 4;
  std::vector<std::string> tokens;
  for (int i = 0; i < kWorkers; ++i) {
    Pkce pkce = NewPkce();
    auto r = RedeemCode(port, app, AuthorizeCode(port, app, session, pkce), pkce.verifier);
    ASSERT_EQ(r.status, 200);
    tokens.push_back(json::parse(r.body)["refresh_token"]);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, ok{0}, unavailable{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.emplace_back([&, i] {
      while (!stop.load()) {
        auto r = Refresh(port, app, tokens[i]);
        if (r.status == 200) {
          tokens[i] = json::parse(r.body)["refresh_token"];
          ++ok;
        } else if (r.status == 503) {
          ++unavailable;
        } else {
          ++bad;
          ADD_FAILURE() << r.status << " " << r.body;
          return;
        }
      }
    });
  }
  EXPECT_TRUE(Eventually([&] { return ok.load() > 0; }, std::chrono::seconds(30)));
  StopDatabase();
  // Down until the outage has been answered: a rotation whose commit was cut off is resolved
  // first (it may ride out a short outage and answer 200, CONTRACT §4), so a fixed window can
  // pass with no request answered at all while the database was away.
  EXPECT_TRUE(Eventually([&] { return unavailable.load() > 0 || bad.load() > 0; },
                         std::chrono::seconds(30)));
  StartDatabase();
  EXPECT_TRUE(gw_->WaitReady(200, std::chrono::seconds(20)));
  int served_before = ok.load();
  EXPECT_TRUE(
      Eventually([&] { return ok.load() > served_before + kWorkers; }, std::chrono::seconds(30)));
  stop = true;
  for (auto& w : workers) w.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(ok.load(), 0);
  EXPECT_GT(unavailable.load(), 0);
  // Every chain still works.
  for (const auto& token : tokens) EXPECT_EQ(Refresh(port, app, token).status, 200);
}

}  // namespace
}  // namespace oakgate::test
