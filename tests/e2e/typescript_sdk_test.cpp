// The TypeScript SDKs (sdk/typescript: `oakgate`, sdk/mcp: `@oakgate/mcp`) and the examples
// against the real gateway and PostgreSQL: each test starts the gateway, seeds a user, a
// login client, agents, tools, rules and keys, then runs a node:test suite with them in its
// environment. scripts/test builds and packs the SDKs (scripts/sdk-typescript) before ctest.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/node_script.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;

constexpr const char* kEmail = "sdk@example.com";
constexpr const char* kPassword = "correct horse battery staple";
const std::string kSdkDir = std::string(OAKGATE_SOURCE_DIR) + "/sdk";

// A gateway with a user who can log in, the public client a CLI uses, and the owner's token.
class TypeScriptSdkE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kSdkDir + "/typescript/dist/index.js") &&
                std::filesystem::exists(kSdkDir + "/mcp/dist/index.js"))
        << "build the SDKs first: scripts/test does (scripts/sdk-typescript)";
    db_ = std::make_unique<TestDatabase>();
    gw_ = std::make_unique<GatewayProcess>(db_->url());
    CreateUser(*gw_, kEmail, kPassword);
    std::string user_id =
        db_->Scalar(std::string("SELECT id FROM users WHERE email = '") + kEmail + "'");
    // What a CLI registers: a public client on a loopback redirect (any port, RFC 8252 §7.3).
    CreateClient(*gw_, "oakgate-cli", "http://127.0.0.1/callback", {"--scopes", "keys agents"});
    token_ = IssueTestAccessToken(db_->url(), "oakgate-cli", user_id, "keys agents");
  }

  std::map<std::string, std::string> Env() const {
    return {{"OAKGATE_URL", "http://127.0.0.1:" + std::to_string(gw_->port())},
            {"OAKGATE_ACCESS_TOKEN", token_},
            {"OAKGATE_CLIENT_ID", "oakgate-cli"},
            {"OAKGATE_EMAIL", kEmail},
            {"OAKGATE_PASSWORD", kPassword}};
  }

  void ExpectPasses(const std::string& dir, const std::string& script,
                    std::map<std::string, std::string> env) {
    for (const auto& [k, v] : Env()) env.emplace(k, v);
    NodeRun run = RunNodeScript(dir, script, env, 240);
    EXPECT_EQ(run.status, 0) << run.output << "\n--- gateway ---\n" << gw_->Logs();
    EXPECT_NE(run.output.find("# fail 0"), std::string::npos) << run.output;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<GatewayProcess> gw_;
  std::string token_;
};

const std::vector<SeedTool> kGithub = {{"github", {"read", "write"}}};
const std::vector<SeedRule> kGithubRead = {{"github", "read", "none"}};

TEST_F(TypeScriptSdkE2E, ClientValidatesGuardsLogsInRefreshesAndMintsKeys) {
  SeededAgent agent = SeedAgent(gw_->port(), token_, "sdk-agent", kGithub, kGithubRead);
  SeededAgent limited = SeedAgent(gw_->port(), token_, "limited-agent", kGithub, kGithubRead, 1, 1);
  ExpectPasses(kSdkDir + "/typescript", "test/e2e/gateway.test.mjs",
               {{"OAKGATE_API_KEY", agent.key},
                {"OAKGATE_AGENT_ID", agent.id},
                {"OAKGATE_LIMITED_KEY", limited.key}});
}

TEST_F(TypeScriptSdkE2E, McpClientCallsAGuardedServerAndBothDecisionsAreLogged) {
  SeededAgent agent = SeedAgent(
      gw_->port(), token_, "mcp-agent", {{"read_file", {"execute"}}, {"write_file", {"execute"}}},
      {{"read_file", "execute", "none"}, {"write_file", "execute", "hard"}});
  ExpectPasses(kSdkDir + "/mcp", "test/e2e/gateway.test.mjs",
               {{"OAKGATE_MCP_KEY", agent.key}, {"OAKGATE_MCP_AGENT_ID", agent.id}});
}

TEST_F(TypeScriptSdkE2E, ExamplesRunFromAScratchProjectWithTheInstalledPacks) {
  const char* scratch = std::getenv("OAKGATE_SDK_SCRATCH");
  ASSERT_TRUE(scratch && std::filesystem::exists(std::string(scratch) + "/dist"))
      << "OAKGATE_SDK_SCRATCH must name the scratch project of scripts/sdk-typescript "
         "(scripts/test makes it)";
  SeededAgent agent = SeedAgent(gw_->port(), token_, "examples-agent",
                                {{"github", {"read", "write"}}, {"filesystem", {"read", "write"}}},
                                {{"github", "read", "none"}, {"filesystem", "read", "none"}});
  ExpectPasses(std::string(OAKGATE_SOURCE_DIR) + "/tests/e2e/sdk_examples", "examples.test.mjs",
               {{"OAKGATE_SDK_SCRATCH", scratch},
                {"OAKGATE_API_KEY", agent.key},
                {"OAKGATE_AGENT_ID", agent.id}});
}

}  // namespace
}  // namespace oakgate::test
