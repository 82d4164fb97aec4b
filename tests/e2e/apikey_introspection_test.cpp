// The whole chain with no fixture: a user signs in, authorizes a CLI with PKCE, mints an API
// key with the access token, an agent uses it at /v1/validate, and a resource server
// introspects it (CONTRACT §4 introspection of API keys, §5, §6).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

TEST(ApiKeyIntrospectionE2E, KeyMintedWithARealTokenIntrospectsAsApiKeyUntilRevoked) {
  TestDatabase db;
  GatewayProcess gw(db.url());
  int port = gw.port();
  CreateUser(gw, "agent-owner@example.com", "owner password 123");
  TestClient cli = CreateClient(gw, "owner-cli", "http://127.0.0.1:8989/callback",
                                {"--first-party", "--scopes", "keys agents"});
  TestClient rs =
      CreateClient(gw, "resource-server", "http://127.0.0.1:9/unused",
                   {"--confidential", "--introspect", "--grant-types", "client_credentials"});

  std::string session = LoginSession(port, "agent-owner@example.com", "owner password 123");
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port, cli, session, pkce, "keys agents");
  auto token = RedeemCode(port, cli, code, pkce.verifier);
  ASSERT_EQ(token.status, 200) << token.body;
  std::string access = nlohmann::json::parse(token.body)["access_token"];

  auto created = CallApi(port, "POST", "/api/v1/auth/api-keys", access,
                         {{"name", "ci"}, {"scopes", {"search:read"}}, {"expires_in", 3600}});
  ASSERT_EQ(created.status, 201) << created.raw.body;
  std::string key = created.body["key"];
  std::string key_id = created.body["key_id"];
  std::string agent_id = created.body["agent_id"];

  // The agent can use it (no tool yet, so the answer is a recorded deny, not a 401).
  auto validated = CallValidate(port, key, {{"tool", "search"}, {"scope", "read"}});
  EXPECT_EQ(validated.status, 200) << validated.raw.body;

  auto r = IntrospectToken(port, rs, key);
  ASSERT_EQ(r.status, 200) << r.body;
  auto i = nlohmann::json::parse(r.body);
  EXPECT_EQ(i["active"], true);
  EXPECT_EQ(i["token_type"], "api_key") << "resource servers tell keys from access tokens";
  EXPECT_EQ(i["key_id"], key_id);
  EXPECT_EQ(i["agent_id"], agent_id);
  EXPECT_EQ(i["scope"], "search:read");
  EXPECT_TRUE(i["sub"].is_string());
  EXPECT_TRUE(i["exp"].is_number()) << "the key expires, so exp is given";
  EXPECT_EQ(r.Header("cache-control"), "no-store");

  // A forged secret for a real key_id is simply inactive: the key's state does not leak.
  std::string forged = key.substr(0, key.find('.') + 4) + std::string(40, 'A');
  EXPECT_EQ(nlohmann::json::parse(IntrospectToken(port, rs, forged).body),
            nlohmann::json({{"active", false}}));

  ASSERT_EQ(CallApi(port, "DELETE", "/api/v1/auth/api-keys/" + key_id, access).status, 204);
  EXPECT_EQ(nlohmann::json::parse(IntrospectToken(port, rs, key).body),
            nlohmann::json({{"active", false}}));
  // The access token itself still introspects as one.
  auto at = nlohmann::json::parse(IntrospectToken(port, rs, access).body);
  EXPECT_EQ(at["active"], true);
  EXPECT_EQ(at["token_type"], "Bearer");
}

}  // namespace
}  // namespace oakgate::test
