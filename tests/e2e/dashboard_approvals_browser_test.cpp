// The approvals inbox in a real browser (CONTRACT §10, issue 23): an agent's `ask` rule opens
// an approval, and headless Chromium (tests/e2e/browser/dashboard_approvals.mjs) signs in as
// the owner, finds it in the inbox with its reasoning and context, and approves it with a
// comment. Here the agent then reads the approval with its own key, as the SDKs do.
// Screenshots go to <build>/test-artifacts/dashboard-approvals/.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/node_script.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kEmail = "approver@example.com";
constexpr const char* kPassword = "correct-horse-battery-staple-42";
const std::string kBrowserDir = std::string(OAKGATE_SOURCE_DIR) + "/tests/e2e/browser";

TEST(DashboardApprovalsBrowserE2E, TheOwnerApprovesFromTheInboxAndTheAgentSeesItApproved) {
  ASSERT_TRUE(std::filesystem::exists(kBrowserDir + "/node_modules/playwright-core"))
      << "run `npm ci` in tests/e2e/browser (scripts/test does)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "install the chromium package";
  TestDatabase db;
  GatewayProcess gw(db.url());
  auto user = RunOakgate({"user", "create", "--email", kEmail, "--password-stdin"}, gw.env(),
                         std::string(kPassword) + "\n");
  ASSERT_EQ(user.exit_code, 0) << user.err;
  std::string user_id = nlohmann::json::parse(user.out).at("id");
  CreateTestClient(gw.env(), "approvals-client");
  std::string token = IssueTestAccessToken(db.url(), "approvals-client", user_id, "agents keys");
  SeededAgent agent = SeedAgent(gw.port(), token, "deployer", {{"github", {"write"}}}, {});
  auto rule = CallApi(gw.port(), "POST", "/api/v1/agents/" + agent.id + "/rules", token,
                      {{"tool", "github"}, {"scope", "write"}, {"effect", "ask"}});
  ASSERT_EQ(rule.status, 201) << rule.raw.body;
  auto asked = CallValidate(gw.port(), agent.key,
                            {{"tool", "github"},
                             {"scope", "write"},
                             {"reasoning", "deploy the hotfix"},
                             {"context", {{"branch", "main"}}}});
  ASSERT_EQ(asked.status, 202) << asked.raw.body;
  std::string approval = asked.body.at("approval_id");
  std::filesystem::path artifacts =
      std::filesystem::path(OAKGATE_BUILD_DIR) / "test-artifacts" / "dashboard-approvals";
  std::filesystem::remove_all(artifacts);

  NodeRun run = RunNodeScript(kBrowserDir, "dashboard_approvals.mjs",
                              {{"OAKGATE_URL", "http://127.0.0.1:" + std::to_string(gw.port())},
                               {"OAKGATE_EMAIL", kEmail},
                               {"OAKGATE_PASSWORD", kPassword},
                               {"OAKGATE_APPROVAL_ID", approval},
                               {"OAKGATE_ARTIFACTS", artifacts.string()}});
  ASSERT_EQ(run.status, 0) << run.output << "\n--- gateway ---\n" << gw.Logs();
  nlohmann::json result;
  for (const auto& j : run.objects) {
    if (j.contains("status")) result = j;
  }
  ASSERT_TRUE(result.is_object()) << run.output;
  EXPECT_EQ(result["pages"].get<int>(), 3);

  // What the browser did is what the agent reads with its key.
  auto read = ParseJsonResponse(
      Fetch(gw.port(), "GET", "/v1/approvals/" + approval, {{"X-API-Key", agent.key}}));
  ASSERT_EQ(read.status, 200) << read.raw.body;
  EXPECT_EQ(read.body["status"], "approved");
  EXPECT_EQ(read.body["decided_by"], user_id);
  EXPECT_EQ(read.body["comment"], "ok for the hotfix");
}

}  // namespace
}  // namespace oakgate::test
