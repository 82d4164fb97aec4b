// POST /oauth/introspect (RFC 7662) and POST /oauth/revoke (RFC 7009).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";
using nlohmann::json;

class OAuthIntrospectRevokeE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    CreateUser(*gw_, "alice@example.com", kPassword);
    app_ = new TestClient(
        CreateClient(*gw_, "app", "https://app.example/cb", {"--first-party", "--scopes", "keys"}));
    other_ = new TestClient(CreateClient(*gw_, "other", "https://other.example/cb",
                                         {"--first-party", "--confidential"}));
    rs_ = new TestClient(CreateClient(
        *gw_, "rs", "", {"--confidential", "--introspect", "--grant-types", "client_credentials"}));
    plain_ = new TestClient(
        CreateClient(*gw_, "plain", "", {"--confidential", "--grant-types", "client_credentials"}));
    session_ = new std::string(LoginSession(gw_->port(), "alice@example.com", kPassword));
  }
  static void TearDownTestSuite() {
    delete session_;
    delete app_;
    delete other_;
    delete rs_;
    delete plain_;
    delete gw_;
    delete db_;
  }
  static int port() { return gw_->port(); }
  static json Grant() {
    Pkce pkce = NewPkce();
    std::string code = AuthorizeCode(port(), *app_, *session_, pkce);
    auto r = RedeemCode(port(), *app_, code, pkce.verifier);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
  static json Introspect(const std::string& token, const TestClient* as = nullptr) {
    auto r = IntrospectToken(port(), as ? *as : *rs_, token);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("cache-control"), "no-store");
    return json::parse(r.body);
  }
  static HttpResponse RevokeAs(const TestClient& c, const std::string& token) {
    Fields f = {{"token", token}, {"client_id", c.id}};
    if (!c.secret.empty()) f.emplace_back("client_secret", c.secret);
    return PostForm(port(), "/oauth/revoke", f);
  }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static TestClient* app_;
  static TestClient* other_;
  static TestClient* rs_;
  static TestClient* plain_;
  static std::string* session_;
};

TestDatabase* OAuthIntrospectRevokeE2E::db_ = nullptr;
GatewayProcess* OAuthIntrospectRevokeE2E::gw_ = nullptr;
TestClient* OAuthIntrospectRevokeE2E::app_ = nullptr;
TestClient* OAuthIntrospectRevokeE2E::other_ = nullptr;
TestClient* OAuthIntrospectRevokeE2E::rs_ = nullptr;
TestClient* OAuthIntrospectRevokeE2E::plain_ = nullptr;
std::string* OAuthIntrospectRevokeE2E::session_ = nullptr;

TEST_F(OAuthIntrospectRevokeE2E, IntrospectionNeedsAConfidentialClientAllowedToIntrospect) {
  json g = Grant();
  auto anonymous = PostForm(port(), "/oauth/introspect", {{"token", g["access_token"]}});
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(json::parse(anonymous.body)["error"], "invalid_client");
  auto public_client =
      PostForm(port(), "/oauth/introspect", {{"token", g["access_token"]}, {"client_id", "app"}});
  EXPECT_EQ(public_client.status, 401);
  auto wrong = PostForm(port(), "/oauth/introspect", {{"token", g["access_token"]}},
                        {{"Authorization", BasicAuth(rs_->id, "wrong")}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.Header("www-authenticate").value_or("").find("Basic"), std::string::npos);
  auto not_allowed = IntrospectToken(port(), *plain_, g["access_token"]);
  EXPECT_EQ(not_allowed.status, 403);
  EXPECT_EQ(json::parse(not_allowed.body)["error"], "unauthorized_client");
  // client_secret_post works as well as Basic.
  auto post = PostForm(
      port(), "/oauth/introspect",
      {{"token", g["access_token"]}, {"client_id", rs_->id}, {"client_secret", rs_->secret}});
  EXPECT_EQ(json::parse(post.body)["active"], true);
}

TEST_F(OAuthIntrospectRevokeE2E, InactiveTokensSayOnlyActiveFalse) {
  json g = Grant();
  std::string access = g["access_token"];
  std::vector<std::string> inactive = {"",
                                       "garbage",
                                       "oat_" + std::string(43, 'A'),
                                       access.substr(0, 46),
                                       "pk_abc.sk_def",
                                       "ort_" + std::string(43, 'B')};
  for (const auto& token : inactive) {
    auto r = IntrospectToken(port(), *rs_, token);
    if (token.empty()) {
      EXPECT_EQ(r.status, 400) << "token is required";
      continue;
    }
    EXPECT_EQ(r.status, 200) << token;
    EXPECT_EQ(r.body, "{\"active\":false}") << token;
  }
  db_->Scalar(
      "UPDATE access_tokens SET expires_at = now() - interval '1 second'"
      " WHERE token_hash = sha256('" +
      access + "'::bytea)");
  EXPECT_EQ(Introspect(access).dump(), "{\"active\":false}");
}

TEST_F(OAuthIntrospectRevokeE2E, RefreshTokenIsActiveOnlyToItsOwnClient) {
  json g = Grant();
  json to_rs = Introspect(g["refresh_token"]);
  EXPECT_EQ(to_rs.dump(), "{\"active\":false}");
  // The owning client is a public one, so it cannot introspect; make a confidential owner.
  auto cc = PostForm(port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                     {{"Authorization", BasicAuth(rs_->id, rs_->secret)}});
  ASSERT_EQ(cc.status, 200);
  db_->Scalar(
      "UPDATE clients SET grant_types = '{authorization_code,refresh_token}',"
      " redirect_uris = '{https://rs.example/cb}', is_first_party = true,"
      " scopes = '{keys}' WHERE id = 'rs'");
  TestClient rs_app = *rs_;
  rs_app.redirect_uri = "https://rs.example/cb";
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port(), rs_app, *session_, pkce);
  auto t = RedeemCode(port(), rs_app, code, pkce.verifier);
  ASSERT_EQ(t.status, 200) << t.body;
  json own = Introspect(json::parse(t.body)["refresh_token"]);
  EXPECT_EQ(own["active"], true);
  EXPECT_EQ(own["token_type"], "refresh_token");
  EXPECT_EQ(own["client_id"], "rs");
  db_->Scalar("UPDATE clients SET grant_types = '{client_credentials}' WHERE id = 'rs'");
}

TEST_F(OAuthIntrospectRevokeE2E, RevokingAnAccessTokenRevokesIt) {
  json g = Grant();
  EXPECT_EQ(RevokeAs(*app_, g["access_token"]).status, 200);
  EXPECT_EQ(Introspect(g["access_token"])["active"], false);
  // Again, and for unknown or malformed tokens: still 200.
  EXPECT_EQ(RevokeAs(*app_, g["access_token"]).status, 200);
  EXPECT_EQ(RevokeAs(*app_, "oat_" + std::string(43, 'C')).status, 200);
  EXPECT_EQ(RevokeAs(*app_, "nonsense").status, 200);
  // The refresh token (another family member) still works: only the access token was revoked.
  EXPECT_EQ(Refresh(port(), *app_, g["refresh_token"]).status, 200);
}

TEST_F(OAuthIntrospectRevokeE2E, RevokingARefreshTokenRevokesItsFamily) {
  json g = Grant();
  auto r = PostForm(port(), "/oauth/revoke",
                    {{"token", g["refresh_token"]},
                     {"token_type_hint", "refresh_token"},
                     {"client_id", app_->id}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_EQ(r.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(Introspect(g["access_token"])["active"], false);
  EXPECT_EQ(Refresh(port(), *app_, g["refresh_token"]).status, 400);
}

TEST_F(OAuthIntrospectRevokeE2E, RevokingAnotherClientsTokenIsRefusedAndItStaysValid) {
  json g = Grant();
  for (const std::string& token :
       {g["access_token"].get<std::string>(), g["refresh_token"].get<std::string>()}) {
    auto r = RevokeAs(*other_, token);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(json::parse(r.body)["error"], "unauthorized_client");
  }
  EXPECT_EQ(Introspect(g["access_token"])["active"], true);
  EXPECT_EQ(Refresh(port(), *app_, g["refresh_token"]).status, 200);
}

TEST_F(OAuthIntrospectRevokeE2E, RevocationAuthenticatesTheClient) {
  json g = Grant();
  auto none = PostForm(port(), "/oauth/revoke", {{"token", g["access_token"]}});
  EXPECT_EQ(none.status, 401);
  auto wrong = PostForm(port(), "/oauth/revoke", {{"token", g["access_token"]}},
                        {{"Authorization", BasicAuth(other_->id, "wrong")}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.Header("www-authenticate").value_or("").find("Basic"), std::string::npos);
  EXPECT_EQ(Introspect(g["access_token"])["active"], true);
  auto pre = Fetch(port(), "OPTIONS", "/oauth/revoke", {{"Origin", "https://x.example"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.Header("access-control-allow-origin"), "*");
}

TEST_F(OAuthIntrospectRevokeE2E, ScanningTheIntrospectionEndpointIsThrottled) {
  const std::string addr = "127.0.0.91";
  int status = 0;
  for (int i = 0; i < 60 && status != 429; ++i) {
    status =
        PostForm(port(), "/oauth/introspect", {{"token", "x"}},
                 {{"Authorization", BasicAuth("scanner-" + std::to_string(i % 3), "guess")}}, addr)
            .status;
  }
  EXPECT_EQ(status, 429);
}

}  // namespace
}  // namespace oakgate::test
