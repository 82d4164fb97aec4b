// RFC 8414 discovery, with CORS, and the path-suffixed document for an issuer with a path.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;

class OAuthDiscoveryE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = new TestDatabase(); }
  static void TearDownTestSuite() { delete db_; }
  static TestDatabase* db_;
};
TestDatabase* OAuthDiscoveryE2E::db_ = nullptr;

void ExpectDocument(const HttpResponse& r, const std::string& issuer) {
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("access-control-allow-origin"), "*");
  EXPECT_FALSE(r.Header("access-control-allow-credentials"));
  json d = json::parse(r.body);
  EXPECT_EQ(d["issuer"], issuer);
  EXPECT_EQ(d["authorization_endpoint"], issuer + "/oauth/authorize");
  EXPECT_EQ(d["token_endpoint"], issuer + "/oauth/token");
  EXPECT_EQ(d["introspection_endpoint"], issuer + "/oauth/introspect");
  EXPECT_EQ(d["revocation_endpoint"], issuer + "/oauth/revoke");
  EXPECT_EQ(d["response_types_supported"], json({"code"}));
  EXPECT_EQ(d["grant_types_supported"],
            json({"authorization_code", "refresh_token", "client_credentials"}));
  EXPECT_EQ(d["code_challenge_methods_supported"], json({"S256"}));
  EXPECT_EQ(d["token_endpoint_auth_methods_supported"],
            json({"none", "client_secret_basic", "client_secret_post"}));
  EXPECT_EQ(d["introspection_endpoint_auth_methods_supported"],
            json({"client_secret_basic", "client_secret_post"}));
  EXPECT_TRUE(d["revocation_endpoint_auth_methods_supported"].is_array());
  EXPECT_TRUE(d["scopes_supported"].is_array());
  EXPECT_EQ(d["authorization_response_iss_parameter_supported"], true);
}

TEST_F(OAuthDiscoveryE2E, DocumentHasEveryContractField) {
  GatewayProcess gw(db_->url());
  std::string issuer = "http://127.0.0.1:" + std::to_string(gw.port());
  ExpectDocument(Fetch(gw.port(), "GET", "/.well-known/oauth-authorization-server",
                       {{"Origin", "https://spa.example"}}),
                 issuer);
  auto pre = Fetch(gw.port(), "OPTIONS", "/.well-known/oauth-authorization-server",
                   {{"Origin", "https://spa.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(Fetch(gw.port(), "POST", "/.well-known/oauth-authorization-server").status, 405);
}

TEST_F(OAuthDiscoveryE2E, IssuerWithAPathIsAlsoServedAtThePathSuffixedLocation) {
  int port = FreePort();
  std::string issuer = "http://127.0.0.1:" + std::to_string(port) + "/tenant/one";
  GatewayProcess gw(db_->url(), {{"OAKGATE_LISTEN", "127.0.0.1:" + std::to_string(port)},
                                 {"OAKGATE_ISSUER", issuer}});
  ASSERT_EQ(gw.port(), port);
  int p = gw.port();
  ExpectDocument(Fetch(p, "GET", "/.well-known/oauth-authorization-server/tenant/one"), issuer);
  ExpectDocument(Fetch(p, "GET", "/.well-known/oauth-authorization-server"), issuer);
}

}  // namespace
}  // namespace oakgate::test
