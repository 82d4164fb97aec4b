// Every dashboard form in a real browser, reloaded and gone Back over (issue 29): headless
// Chromium via playwright-core (tests/e2e/browser/dashboard_forms.mjs) submits each form,
// reloads, goes Back and Forward, and checks that exactly one thing was made or changed
// each time, that a new key's secret came in exactly one answer, and that a fresh /dashboard
// logs no console error. Here, PostgreSQL confirms what the browser saw.
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

TEST(DashboardFormsBrowserE2E, EveryFormSurvivesReloadAndBackAndShowsANewKeyOnce) {
  ASSERT_TRUE(std::filesystem::exists(kBrowserDir + "/node_modules/playwright-core"))
      << "run `npm ci` in tests/e2e/browser (scripts/test does)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "install the chromium package";
  TestDatabase db;
  GatewayProcess gw(db.url());
  auto admin =
      RunOakgate({"user", "create", "--email", "owner@example.com", "--password-stdin", "--admin"},
                 gw.env(), std::string(kPassword) + "\n");
  ASSERT_EQ(admin.exit_code, 0) << admin.err;
  std::string admin_id = nlohmann::json::parse(admin.out)["id"];
  std::string victim_id = CreateTestUser(gw.env(), "victim@example.com");
  CreateTestClient(gw.env(), "forms-client");
  IssueTestAccessToken(db.url(), "forms-client", admin_id, "agents");  // the grant to revoke

  std::string url = "http://127.0.0.1:" + std::to_string(gw.port());
  NodeRun run = RunNodeScript(kBrowserDir, "dashboard_forms.mjs",
                              {{"OAKGATE_URL", url},
                               {"OAKGATE_EMAIL", "owner@example.com"},
                               {"OAKGATE_PASSWORD", kPassword},
                               {"OAKGATE_VICTIM_EMAIL", "victim@example.com"}});
  ASSERT_EQ(run.status, 0) << run.output << "\n--- gateway ---\n" << gw.Logs();
  nlohmann::json result;
  for (const auto& j : run.objects) {
    if (j.contains("steps")) result = j;
  }
  ASSERT_TRUE(result.is_object()) << run.output;
  EXPECT_EQ(result["steps"], 13) << run.output;

  // One of each, however often the browser reloaded or went Back.
  std::string agent = result["agent_id"];
  auto count = [&db](const std::string& sql) { return db.Scalar("SELECT count(*) " + sql); };
  EXPECT_EQ(count("FROM agents WHERE user_id = '" + admin_id + "'"), "1");
  EXPECT_EQ(db.Scalar("SELECT name || ' ' || rate_limit || ' ' || enabled FROM agents"
                      " WHERE id = '" +
                      agent + "'"),
            "forms-agent-renamed 120 false");
  EXPECT_EQ(count("FROM tools WHERE agent_id = '" + agent + "'"), "1");
  EXPECT_EQ(count("FROM rules WHERE agent_id = '" + agent + "'"), "1");
  // The created key and its rotation's replacement; the first revoked.
  ASSERT_EQ(result["key_ids"].size(), 2u);
  EXPECT_EQ(count("FROM api_keys WHERE user_id = '" + admin_id + "'"), "2");
  std::string first = result["key_ids"][0], second = result["key_ids"][1];
  EXPECT_EQ(db.Scalar("SELECT revoked_at IS NOT NULL FROM api_keys WHERE key_id = '" + first + "'"),
            "t");
  EXPECT_EQ(db.Scalar("SELECT replaces FROM api_keys WHERE key_id = '" + second + "'"), first);
  EXPECT_EQ(count("FROM audit_events WHERE type = 'api_key.created'"), "1");
  // Every one-time slot was emptied.
  EXPECT_EQ(count("FROM dashboard_reveals"), "0");
  EXPECT_EQ(db.Scalar("SELECT disabled_at IS NOT NULL FROM users WHERE id = '" + victim_id + "'"),
            "t");
  EXPECT_EQ(count("FROM sessions WHERE user_id = '" + admin_id + "' AND ended_at IS NULL"), "0");
  EXPECT_EQ(count("FROM token_families WHERE user_id = '" + admin_id + "' AND revoked_at IS NULL"),
            "0");
}

}  // namespace
}  // namespace oakgate::test
