// A person approves an MCP tool call on the dashboard (issue 23, "the MCP SDK client's call
// waits, a person approves in Chromium on the dashboard, and the call completes"): the agent's
// write_file rule is `ask`; tests/e2e/browser/mcp_approval_flow.mjs runs a guarded MCP server
// (@oakgate/mcp with waitForApproval) and the MCP SDK's Client, whose write_file call waits
// while headless Chromium signs in, opens /dashboard/approvals and approves it. The call then
// completes and the file is written; the approval is used, decided by that person. Screenshots
// go to <build>/test-artifacts/mcp-approval/.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/node_script.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

const std::string kBrowserDir = std::string(OAKGATE_SOURCE_DIR) + "/tests/e2e/browser";
const std::string kSdkDir = std::string(OAKGATE_SOURCE_DIR) + "/sdk";
constexpr const char* kEmail = "approver@example.com";
constexpr const char* kPassword = "correct horse battery staple";

TEST(McpApprovalBrowserE2E, AnMcpToolCallWaitsUntilAPersonApprovesItInChromiumThenWritesTheFile) {
  ASSERT_TRUE(std::filesystem::exists(kBrowserDir + "/node_modules/playwright-core"))
      << "run `npm ci` in tests/e2e/browser (scripts/test does)";
  ASSERT_TRUE(std::filesystem::exists(kSdkDir + "/mcp/dist/index.js") &&
              std::filesystem::exists(kSdkDir + "/typescript/dist/index.js"))
      << "build the SDKs first: scripts/test does (scripts/sdk-typescript)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "install the chromium package";
  TestDatabase db;
  GatewayProcess gw(db.url());
  CreateUser(gw, kEmail, kPassword);
  std::string user_id =
      db.Scalar(std::string("SELECT id FROM users WHERE email = '") + kEmail + "'");
  CreateClient(gw, "approvals-cli", "http://127.0.0.1/callback", {"--scopes", "keys agents"});
  std::string token = IssueTestAccessToken(db.url(), "approvals-cli", user_id, "keys agents");

  // The agent: write_file (scope execute) that a person must approve.
  SeededAgent agent =
      SeedAgent(gw.port(), token, "mcp-approvals", {{"write_file", {"execute"}}}, {});
  auto rule = CallApi(gw.port(), "POST", "/api/v1/agents/" + agent.id + "/rules", token,
                      {{"tool", "write_file"}, {"scope", "execute"}, {"effect", "ask"}});
  ASSERT_EQ(rule.status, 201) << rule.raw.body;

  std::filesystem::path build(OAKGATE_BUILD_DIR);
  std::filesystem::path artifacts = build / "test-artifacts" / "mcp-approval";
  std::filesystem::path root = build / "test-artifacts" / "mcp-approval-files";
  std::filesystem::remove_all(artifacts);
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  NodeRun run = RunNodeScript(kBrowserDir, "mcp_approval_flow.mjs",
                              {{"OAKGATE_URL", "http://127.0.0.1:" + std::to_string(gw.port())},
                               {"OAKGATE_MCP_KEY", agent.key},
                               {"OAKGATE_EMAIL", kEmail},
                               {"OAKGATE_PASSWORD", kPassword},
                               {"OAKGATE_WRITE_ROOT", root.string()},
                               {"OAKGATE_ARTIFACTS", artifacts.string()}},
                              240);
  ASSERT_EQ(run.status, 0) << run.output << "\n--- gateway ---\n" << gw.Logs();
  nlohmann::json result;
  for (const auto& j : run.objects) {
    if (j.contains("approval_id")) result = j;
  }
  ASSERT_TRUE(result.is_object()) << run.output;
  EXPECT_EQ(result["before_approval"], false);
  EXPECT_EQ(result["text"], "wrote release-notes.txt");

  // The file is on disk, written once the person approved.
  std::ifstream file(root / "release-notes.txt");
  std::stringstream written;
  written << file.rdbuf();
  EXPECT_EQ(written.str(), "oakgate 1.3");

  // The approval was decided by that person on the dashboard, and used by the call.
  std::string approval_id = result["approval_id"];
  auto approval = CallApi(gw.port(), "GET", "/api/v1/approvals/" + approval_id, token);
  ASSERT_EQ(approval.status, 200) << approval.raw.body;
  EXPECT_EQ(approval.body["status"], "used");
  EXPECT_EQ(approval.body["decided_by"], user_id);
  EXPECT_EQ(approval.body["tool"], "write_file");
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace oakgate::test
