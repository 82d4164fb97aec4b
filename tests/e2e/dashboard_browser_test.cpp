// The dashboard in a real browser (issue 9, "What shows it is done"): headless Chromium via
// playwright-core (tests/e2e/browser/dashboard_flow.mjs) logs in, creates an agent, a tool, a
// rule and a key, sees its validation in the table and the chart, revokes the key and signs
// out everywhere. Screenshots of every page go to <build>/test-artifacts/dashboard/.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/gateway_process.hpp"
#include "tests/support/node_script.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";
const std::string kBrowserDir = std::string(OAKGATE_SOURCE_DIR) + "/tests/e2e/browser";

TEST(DashboardBrowserE2E, OwnerManagesAgentsKeysAndSeesDecisionsInChromium) {
  ASSERT_TRUE(std::filesystem::exists(kBrowserDir + "/node_modules/playwright-core"))
      << "run `npm ci` in tests/e2e/browser (scripts/test does)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "install the chromium package";
  TestDatabase db;
  GatewayProcess gw(db.url());
  auto user =
      RunOakgate({"user", "create", "--email", "owner@example.com", "--password-stdin", "--admin"},
                 gw.env(), std::string(kPassword) + "\n");
  ASSERT_EQ(user.exit_code, 0) << user.err;
  CreateTestClient(gw.env(), "browser-client");
  std::filesystem::path artifacts =
      std::filesystem::path(OAKGATE_BUILD_DIR) / "test-artifacts" / "dashboard";
  std::filesystem::remove_all(artifacts);

  std::string url = "http://127.0.0.1:" + std::to_string(gw.port());
  NodeRun run = RunNodeScript(kBrowserDir, "dashboard_flow.mjs",
                              {{"OAKGATE_URL", url},
                               {"OAKGATE_EMAIL", "owner@example.com"},
                               {"OAKGATE_PASSWORD", kPassword},
                               {"OAKGATE_ARTIFACTS", artifacts.string()}});
  ASSERT_EQ(run.status, 0) << run.output << "\n--- gateway ---\n" << gw.Logs();

  nlohmann::json result;
  for (const auto& j : run.objects) {
    if (j.contains("decision_id")) result = j;
  }
  ASSERT_TRUE(result.is_object()) << run.output;
  // What the browser saw is what PostgreSQL holds.
  std::string decision = result["decision_id"];
  EXPECT_EQ(db.Scalar("SELECT allowed FROM decisions WHERE id = '" + decision + "'"), "t");
  EXPECT_EQ(db.Scalar("SELECT agent_id FROM decisions WHERE id = '" + decision + "'"),
            result["agent_id"].get<std::string>());
  std::string key_id = result["key_id"];
  EXPECT_EQ(
      db.Scalar("SELECT revoked_at IS NOT NULL FROM api_keys WHERE key_id = '" + key_id + "'"),
      "t");
  EXPECT_EQ(db.Scalar("SELECT count(*) FROM sessions WHERE ended_at IS NULL"), "0");
  EXPECT_EQ(db.Scalar("SELECT count(*) FROM token_families f JOIN users u ON u.id = f.user_id"
                      " WHERE u.email = 'owner@example.com' AND f.revoked_at IS NULL"),
            "0");
  size_t screenshots = 0;
  for (const auto& f : std::filesystem::directory_iterator(artifacts)) {
    if (f.path().extension() == ".png" && std::filesystem::file_size(f.path()) > 1000) {
      ++screenshots;
    }
  }
  EXPECT_EQ(screenshots, result["pages"].get<size_t>());
  EXPECT_GE(screenshots, 14u);
}

}  // namespace
}  // namespace oakgate::test
