// The whole OAuth flow against the real binary and PostgreSQL: login -> authorize -> token ->
// introspect -> refresh -> revoke, consent approve and deny.
#include "tests/support/oauth_flow.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/eventually.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";
using nlohmann::json;

class OAuthFlowE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    CreateUser(*gw_, "alice@example.com", kPassword);
    first_party_ = new TestClient(CreateClient(*gw_, "web-app", "https://app.example/cb",
                                               {"--first-party", "--scopes", "keys agents"}));
    third_party_ = new TestClient(
        CreateClient(*gw_, "partner", "https://partner.example/cb", {"--scopes", "keys agents"}));
    resource_ = new TestClient(
        CreateClient(*gw_, "resource", "",
                     {"--confidential", "--introspect", "--grant-types", "client_credentials"}));
  }
  static void TearDownTestSuite() {
    delete first_party_;
    delete third_party_;
    delete resource_;
    delete gw_;
    delete db_;
  }
  static int port() { return gw_->port(); }
  static std::string Session() { return LoginSession(port(), "alice@example.com", kPassword); }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static TestClient* first_party_;
  static TestClient* third_party_;
  static TestClient* resource_;
};

TestDatabase* OAuthFlowE2E::db_ = nullptr;
GatewayProcess* OAuthFlowE2E::gw_ = nullptr;
TestClient* OAuthFlowE2E::first_party_ = nullptr;
TestClient* OAuthFlowE2E::third_party_ = nullptr;
TestClient* OAuthFlowE2E::resource_ = nullptr;

TEST_F(OAuthFlowE2E, LoginAuthorizeTokenIntrospectRefreshRevoke) {
  Pkce pkce = NewPkce();
  Fields authorize = {{"response_type", "code"},
                      {"client_id", first_party_->id},
                      {"redirect_uri", first_party_->redirect_uri},
                      {"scope", "keys"},
                      {"state", "xyz"},
                      {"code_challenge", pkce.challenge},
                      {"code_challenge_method", "S256"}};
  // No session: sent to the login page with this request as return_to.
  auto anonymous = GetAuthorize(port(), authorize, "");
  ASSERT_EQ(anonymous.status, 302);
  std::string login_location = anonymous.Header("location").value_or("");
  ASSERT_EQ(login_location.rfind("/web/login?return_to=", 0), 0u) << login_location;
  std::string return_to = QueryOf(login_location)["return_to"];
  EXPECT_EQ(return_to, AuthorizeTarget(authorize));

  // The login page of this request allows the client's origin in form-action (PITFALLS 1).
  auto login_page = Fetch(port(), "GET", login_location);
  ASSERT_EQ(login_page.status, 200);
  auto csp = login_page.Header("content-security-policy").value_or("");
  EXPECT_NE(csp.find("form-action 'self' https://app.example;"), std::string::npos) << csp;

  LoginForm form = FetchLoginForm(port(), return_to);
  auto login = PostLogin(port(), form, "alice@example.com", kPassword);
  ASSERT_EQ(login.status, 303);
  EXPECT_EQ(login.Header("location"), return_to);
  std::string session;
  for (const auto& [name, value] : login.SetCookies()) {
    if (name == "oakgate_session") session = name + "=" + value;
  }
  ASSERT_FALSE(session.empty());

  // First-party: no consent page, straight back with code, state and iss.
  auto authorized = GetAuthorize(port(), authorize, session);
  ASSERT_EQ(authorized.status, 302) << authorized.body;
  std::string location = authorized.Header("location").value_or("");
  ASSERT_EQ(location.rfind("https://app.example/cb?", 0), 0u) << location;
  auto q = QueryOf(location);
  EXPECT_EQ(q["state"], "xyz");
  EXPECT_EQ(q["iss"], "http://127.0.0.1:" + std::to_string(port()));
  ASSERT_EQ(q["code"].size(), 43u);
  // Only the code's hash is stored.
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM authorization_codes WHERE code_hash = sha256('" +
                        q["code"] + "'::bytea)"),
            "1");

  auto token = RedeemCode(port(), *first_party_, q["code"], pkce.verifier);
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_EQ(token.Header("cache-control"), "no-store");
  EXPECT_EQ(token.Header("pragma"), "no-cache");
  json t = json::parse(token.body);
  std::string access = t["access_token"], refresh = t["refresh_token"];
  EXPECT_EQ(access.rfind("oat_", 0), 0u);
  EXPECT_EQ(access.size(), 47u);
  EXPECT_EQ(refresh.rfind("ort_", 0), 0u);
  EXPECT_EQ(t["token_type"], "Bearer");
  EXPECT_EQ(t["scope"], "keys");
  EXPECT_GT(t["expires_in"].get<int>(), 3500);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM access_tokens WHERE token_hash = sha256('" + access +
                        "'::bytea)"),
            "1");

  auto intro = IntrospectToken(port(), *resource_, access);
  ASSERT_EQ(intro.status, 200) << intro.body;
  EXPECT_EQ(intro.Header("cache-control"), "no-store");
  json i = json::parse(intro.body);
  EXPECT_EQ(i["active"], true);
  EXPECT_EQ(i["scope"], "keys");
  EXPECT_EQ(i["client_id"], first_party_->id);
  EXPECT_EQ(i["username"], "alice@example.com");
  EXPECT_EQ(i["token_type"], "Bearer");
  EXPECT_TRUE(i["sub"].is_string());
  EXPECT_TRUE(i["exp"].is_number());
  EXPECT_TRUE(i["iat"].is_number());
  EXPECT_EQ(i["iss"], "http://127.0.0.1:" + std::to_string(port()));

  auto refreshed = Refresh(port(), *first_party_, refresh);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  json r = json::parse(refreshed.body);
  EXPECT_NE(r["refresh_token"], refresh);
  EXPECT_NE(r["access_token"], access);

  auto revoke = PostForm(port(), "/oauth/revoke",
                         {{"token", r["refresh_token"]}, {"client_id", first_party_->id}});
  EXPECT_EQ(revoke.status, 200) << revoke.body;
  // Revoking the refresh token revoked its family: every token of it is inactive.
  EXPECT_EQ(json::parse(IntrospectToken(port(), *resource_, access).body)["active"], false);
  EXPECT_EQ(json::parse(IntrospectToken(port(), *resource_, r["access_token"]).body)["active"],
            false);
  EXPECT_EQ(Refresh(port(), *first_party_, r["refresh_token"]).status, 400);

  for (const char* type :
       {"oauth.authorized", "oauth.token_issued", "oauth.token_refreshed", "oauth.token_revoked"}) {
    EXPECT_NE(db_->Scalar(std::string("SELECT count(*) FROM audit_events WHERE type = '") + type +
                          "' AND request_id IS NOT NULL"),
              "0")
        << type;
  }
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM audit_events WHERE details::text LIKE '%oat_%'"
                        " OR details::text LIKE '%ort_%'"),
            "0");
}

TEST_F(OAuthFlowE2E, ConsentApproveIsRememberedForTheSameScopes) {
  std::string session = Session();
  Pkce pkce = NewPkce();
  Fields f = {{"response_type", "code"},
              {"client_id", third_party_->id},
              {"redirect_uri", third_party_->redirect_uri},
              {"scope", "keys"},
              {"state", "s1"},
              {"code_challenge", pkce.challenge},
              {"code_challenge_method", "S256"}};
  auto page = GetAuthorize(port(), f, session);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Client partner"), std::string::npos);
  auto csp = page.Header("content-security-policy").value_or("");
  EXPECT_NE(csp.find("form-action 'self' https://partner.example;"), std::string::npos) << csp;
  EXPECT_EQ(page.Header("x-frame-options"), "DENY");

  auto approved = SubmitConsent(port(), page.body, session, "approve");
  ASSERT_EQ(approved.status, 303) << approved.body;
  auto q = QueryOf(approved.Header("location").value_or(""));
  EXPECT_EQ(q["state"], "s1");
  EXPECT_FALSE(q["code"].empty());
  EXPECT_FALSE(q["iss"].empty());
  EXPECT_EQ(RedeemCode(port(), *third_party_, q["code"], pkce.verifier).status, 200);

  // Remembered: the same scope set needs no page; a wider one asks again.
  auto again = GetAuthorize(port(), f, session);
  EXPECT_EQ(again.status, 302);
  f[3].second = "keys agents";
  EXPECT_EQ(GetAuthorize(port(), f, session).status, 200);
}

TEST_F(OAuthFlowE2E, ConsentDenyRedirectsAccessDenied) {
  std::string session = LoginSession(port(), "alice@example.com", kPassword);
  Pkce pkce = NewPkce();
  Fields f = {{"response_type", "code"},
              {"client_id", third_party_->id},
              {"redirect_uri", third_party_->redirect_uri},
              {"scope", "agents"},
              {"state", "deny-me"},
              {"code_challenge", pkce.challenge},
              {"code_challenge_method", "S256"}};
  // A fresh user has no consent yet.
  CreateUser(*gw_, "dora@example.com", kPassword);
  std::string dora = LoginSession(port(), "dora@example.com", kPassword);
  auto page = GetAuthorize(port(), f, dora);
  ASSERT_EQ(page.status, 200);
  auto denied = SubmitConsent(port(), page.body, dora, "deny");
  ASSERT_EQ(denied.status, 303);
  auto q = QueryOf(denied.Header("location").value_or(""));
  EXPECT_EQ(q["error"], "access_denied");
  EXPECT_EQ(q["state"], "deny-me");
  EXPECT_FALSE(q["iss"].empty());
  EXPECT_EQ(q.count("code"), 0u);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM consents c JOIN users u ON u.id = c.user_id"
                        " WHERE u.email = 'dora@example.com'"),
            "0");
}

// A new password is the answer to a stolen one: whatever was obtained with the old password
// (sessions, codes, access and refresh tokens) dies with it; the agents' API keys stay.
TEST_F(OAuthFlowE2E, AThiefSignedInWithTheOldPasswordLosesEverySessionAndTokenAtSetPassword) {
  CreateUser(*gw_, "frank@example.com", kPassword);
  TestClient app =
      CreateClient(*gw_, "frank-app", "https://frank.example/cb",
                   {"--first-party", "--confidential", "--introspect", "--scopes", "keys"});
  std::string thief = LoginSession(port(), "frank@example.com", kPassword);
  std::string owner = LoginSession(port(), "frank@example.com", kPassword);
  Pkce pkce = NewPkce();
  auto token =
      RedeemCode(port(), app, AuthorizeCode(port(), app, thief, pkce, "keys"), pkce.verifier);
  ASSERT_EQ(token.status, 200) << token.body;
  std::string access = json::parse(token.body)["access_token"];
  std::string refresh = json::parse(token.body)["refresh_token"];
  Pkce pending_pkce = NewPkce();
  std::string pending = AuthorizeCode(port(), app, thief, pending_pkce, "keys");
  auto key =
      RunOakgate({"apikey", "create", "--user", "frank@example.com", "--agent", "bot"}, gw_->env());
  ASSERT_EQ(key.exit_code, 0) << key.err;
  std::string api_key = json::parse(key.out)["key"];
  auto active = [&](const std::string& value) {
    auto r = IntrospectToken(port(), app, value);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["active"] == true;
  };
  ASSERT_TRUE(active(access) && active(refresh) && active(api_key));
  ASSERT_EQ(Fetch(port(), "GET", "/", {{"Cookie", thief}}).status, 200);

  auto changed =
      RunOakgate({"user", "set-password", "--email", "frank@example.com", "--password-stdin"},
                 gw_->env(), "a brand new passphrase\n");
  ASSERT_EQ(changed.exit_code, 0) << changed.err;

  // The CLI is another process: a cached answer of this instance ends with its NOTIFY.
  EXPECT_TRUE(Eventually([&] { return !active(access); })) << "access token";
  EXPECT_FALSE(active(refresh)) << "refresh token";
  EXPECT_EQ(Refresh(port(), app, refresh).status, 400);
  for (const std::string& session : {thief, owner}) {
    EXPECT_EQ(Fetch(port(), "GET", "/", {{"Cookie", session}}).status, 302) << "session ended";
  }
  auto late = RedeemCode(port(), app, pending, pending_pkce.verifier);
  EXPECT_EQ(late.status, 400) << "a code from before cannot start a new family: " << late.body;
  EXPECT_EQ(json::parse(late.body)["error"], "invalid_grant");
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM token_families f JOIN users u ON u.id = f.user_id"
                        " WHERE u.email = 'frank@example.com' AND f.revoked_at IS NULL"),
            "0");

  // The agent's key is not the password's: it still validates.
  EXPECT_TRUE(active(api_key)) << "API keys stay";
  // The new password signs in; the old one does not.
  EXPECT_FALSE(LoginSession(port(), "frank@example.com", "a brand new passphrase").empty());
  EXPECT_EQ(PostLogin(port(), FetchLoginForm(port()), "frank@example.com", kPassword).status, 401);
}

// RFC 9700 §4.12: a redirect that answers a POST must never be one (307) that makes the
// browser re-send the form to the client; 303 says "follow with a GET". A GET keeps 302.
TEST_F(OAuthFlowE2E, ConsentPostIsAnsweredWithSeeOtherSoTheFormIsNeverResent) {
  CreateUser(*gw_, "erin@example.com", kPassword);
  std::string erin = LoginSession(port(), "erin@example.com", kPassword);
  auto expect_redirect = [](const HttpResponse& r, int status, const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    EXPECT_EQ(r.Header("location").value_or("").rfind("https://partner.example/cb?", 0), 0u)
        << what;
    EXPECT_EQ(r.Header("cache-control"), "no-store") << what;
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer") << what;
  };
  auto fields = [this](const std::string& scope) {
    return Fields{{"response_type", "code"},
                  {"client_id", third_party_->id},
                  {"redirect_uri", third_party_->redirect_uri},
                  {"scope", scope},
                  {"state", "see-other"},
                  {"code_challenge", NewPkce().challenge},
                  {"code_challenge_method", "S256"}};
  };

  auto page = GetAuthorize(port(), fields("agents"), erin);
  ASSERT_EQ(page.status, 200) << page.body;
  auto denied = SubmitConsent(port(), page.body, erin, "deny");
  expect_redirect(denied, 303, "deny");
  EXPECT_EQ(QueryOf(denied.Header("location").value_or(""))["error"], "access_denied");

  page = GetAuthorize(port(), fields("keys"), erin);
  ASSERT_EQ(page.status, 200) << page.body;
  auto approved = SubmitConsent(port(), page.body, erin, "approve");
  expect_redirect(approved, 303, "approve");
  EXPECT_FALSE(QueryOf(approved.Header("location").value_or(""))["code"].empty());

  // A form whose request fails validation after the CSRF check is an error redirect: also 303.
  std::string tampered = page.body;
  const std::string method = "name=\"code_challenge_method\" value=\"S256\"";
  ASSERT_NE(tampered.find(method), std::string::npos);
  tampered.replace(tampered.find(method), method.size(),
                   "name=\"code_challenge_method\" value=\"plain\"");
  auto refused = SubmitConsent(port(), tampered, erin, "approve");
  expect_redirect(refused, 303, "invalid request in the form");
  EXPECT_EQ(QueryOf(refused.Header("location").value_or(""))["error"], "invalid_request");

  // The consent is remembered, so the GET redirects at once: still 302.
  expect_redirect(GetAuthorize(port(), fields("keys"), erin), 302, "GET");
}

TEST_F(OAuthFlowE2E, ConsentPostNeedsItsCsrfToken) {
  std::string session = Session();
  Pkce pkce = NewPkce();
  Fields f = {{"response_type", "code"},
              {"client_id", third_party_->id},
              {"redirect_uri", third_party_->redirect_uri},
              {"scope", "agents keys"},
              {"code_challenge", pkce.challenge},
              {"code_challenge_method", "S256"},
              {"decision", "approve"},
              {"csrf", "forged"}};
  auto r = PostForm(port(), "/oauth/authorize", f, {{"Cookie", session}});
  EXPECT_EQ(r.status, 403);
  EXPECT_FALSE(r.Header("location"));
}

}  // namespace
}  // namespace oakgate::test
