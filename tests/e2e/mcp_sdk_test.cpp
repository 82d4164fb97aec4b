// The MCP TypeScript SDK (tests/e2e/mcp, pinned by its package-lock.json) drives discovery,
// dynamic registration and the PKCE flow against the real oakgate itself; this test does the
// browser step's login, then checks that the token it got is bound to the MCP server's
// resource: active with that aud to the resource's introspector, inactive to another.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/node_script.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";
const std::string kSdkDir = std::string(OAKGATE_SOURCE_DIR) + "/tests/e2e/mcp";

TEST(McpSdkE2E, SdkDiscoversRegistersAndGetsAnAudienceBoundToken) {
  ASSERT_TRUE(std::filesystem::exists(kSdkDir + "/node_modules/@modelcontextprotocol/sdk"))
      << "run `npm ci` in tests/e2e/mcp (scripts/test does)";
  TestDatabase db;
  GatewayProcess gw(db.url());
  CreateUser(gw, "mcp@example.com", kPassword);
  int mcp_port = FreePort();
  std::string resource = "http://127.0.0.1:" + std::to_string(mcp_port) + "/mcp";
  TestClient rs =
      CreateClient(gw, "mcp-server", "",
                   {"--confidential", "--introspect", "--grant-types", "client_credentials"});
  TestClient other =
      CreateClient(gw, "other-server", "",
                   {"--confidential", "--introspect", "--grant-types", "client_credentials"});
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"resource", "create", "--uri", resource, "--name", "SDK test MCP server", "--scopes",
            "tools:read", "--introspector", "mcp-server"},
           {"resource", "create", "--uri", "https://other.example/mcp", "--name", "Other",
            "--scopes", "tools:read", "--introspector", "other-server"}}) {
    auto r = RunOakgate(args, gw.env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string session = LoginSession(gw.port(), "mcp@example.com", kPassword);
  std::string issuer = "http://127.0.0.1:" + std::to_string(gw.port());
  NodeRun run = RunNodeScript(kSdkDir, "sdk_flow.mjs",
                              {{"OAKGATE_URL", issuer},
                               {"OAKGATE_SESSION", session},
                               {"MCP_PORT", std::to_string(mcp_port)}},
                              60);
  ASSERT_EQ(run.status, 0) << run.output << "\n--- gateway ---\n" << gw.Logs();

  nlohmann::json result;
  for (const auto& j : run.objects) {
    if (j.contains("access_token")) result = j;
  }
  ASSERT_TRUE(result.is_object()) << run.output;
  // The SDK sent the resource it found in the RFC 9728 metadata, and registered itself.
  EXPECT_EQ(result["resource_sent"], nlohmann::json::array({resource}));
  std::string client_id = result["client_id"];
  EXPECT_EQ(client_id.rfind("reg_", 0), 0u);
  EXPECT_EQ(result["registered"]["token_endpoint_auth_method"], "none");
  EXPECT_EQ(db.Scalar("SELECT is_registered FROM clients WHERE id = '" + client_id + "'"), "t");

  auto mine = nlohmann::json::parse(IntrospectToken(gw.port(), rs, result["access_token"]).body);
  EXPECT_EQ(mine["active"], true);
  EXPECT_EQ(mine["aud"], resource);
  EXPECT_EQ(mine["client_id"], client_id);
  EXPECT_EQ(mine["scope"], "tools:read");
  auto theirs =
      nlohmann::json::parse(IntrospectToken(gw.port(), other, result["access_token"]).body);
  EXPECT_EQ(theirs["active"], false);
}

}  // namespace
}  // namespace oakgate::test
