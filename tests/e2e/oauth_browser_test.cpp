// A real browser (headless Chromium via playwright-core, tests/e2e/browser) completes the
// authorization-code flow through the login page and lands on the client's loopback callback
// (PITFALLS 1: browsers apply CSP form-action to every redirect after a form POST).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/node_script.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";
const std::string kBrowserDir = std::string(OAKGATE_SOURCE_DIR) + "/tests/e2e/browser";

TEST(OAuthBrowserE2E, ChromiumLogsInAndLandsOnTheLoopbackCallback) {
  ASSERT_TRUE(std::filesystem::exists(kBrowserDir + "/node_modules/playwright-core"))
      << "run `npm ci` in tests/e2e/browser (scripts/test does)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "install the chromium package";
  TestDatabase db;
  GatewayProcess gw(db.url());
  CreateUser(gw, "browser@example.com", kPassword);
  // No consent page: the login POST's 303 -> authorize -> 302 to the callback is the chain
  // that login-page CSP form-action governs.
  TestClient direct = CreateClient(gw, "browser-confidential", "http://127.0.0.1/callback",
                                   {"--first-party", "--confidential", "--scopes", "keys"});
  // A public loopback client: the confirmation page's POST -> 303 to the callback.
  TestClient native = CreateClient(gw, "browser-native", "http://127.0.0.1/callback",
                                   {"--first-party", "--scopes", "keys"});
  Pkce pkce = NewPkce();
  std::string issuer = "http://127.0.0.1:" + std::to_string(gw.port());
  NodeRun run = RunNodeScript(kBrowserDir, "login_flow.mjs",
                              {{"OAKGATE_URL", issuer},
                               {"OAKGATE_CLIENTS", direct.id + " " + native.id},
                               {"OAKGATE_EMAIL", "browser@example.com"},
                               {"OAKGATE_PASSWORD", kPassword},
                               {"OAKGATE_CHALLENGE", pkce.challenge}});
  ASSERT_EQ(run.status, 0) << run.output << "\n--- gateway ---\n" << gw.Logs();

  std::map<std::string, TestClient> by_id = {{direct.id, direct}, {native.id, native}};
  int seen = 0;
  for (const auto& j : run.objects) {
    if (!j.contains("code")) continue;
    ++seen;
    EXPECT_EQ(j["state"], "\"><foo>bar_baz(2)far</foo>");
    EXPECT_EQ(j["iss"], issuer);
    // The code the browser carried is real: it redeems (loopback port is ignored, but the
    // redirect_uri must equal the one used at authorize, so look it up).
    std::string redirect =
        db.Scalar("SELECT redirect_uri FROM authorization_codes WHERE code_hash = sha256('" +
                  j["code"].get<std::string>() + "'::bytea)");
    TestClient c = by_id.at(j["client_id"]);
    c.redirect_uri = redirect;
    auto token = RedeemCode(gw.port(), c, j["code"], pkce.verifier);
    EXPECT_EQ(token.status, 200) << token.body;
  }
  EXPECT_EQ(seen, 2) << run.output;
}

}  // namespace
}  // namespace oakgate::test
