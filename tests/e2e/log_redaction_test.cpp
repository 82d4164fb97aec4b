// Logs (CONTRACT §7, issue 6): every endpoint driven with real secrets, on the good path and
// the bad one, at debug level; not one password, token, code, verifier, API key secret,
// client secret or cookie value appears in the gateway's output, and every line is one JSON
// object with the fields an on-call engineer reads.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;

// The part of a "name=value" cookie after the name.
std::string CookieValue(const std::string& cookie) { return cookie.substr(cookie.find('=') + 1); }

TEST(LogRedactionE2E, NoSecretFromAnyEndpointReachesTheLogs) {
  TestDatabase db;
  auto gw = std::make_unique<GatewayProcess>(
      db.url(), std::map<std::string, std::string>{{"OAKGATE_LOG_LEVEL", "debug"}});
  int port = gw->port();
  std::vector<std::pair<std::string, std::string>> secrets;  // what must not appear, and why
  auto secret = [&](const std::string& what, const std::string& value) {
    ASSERT_FALSE(value.empty()) << what;
    secrets.emplace_back(what, value);
  };

  const std::string password = "Tr0ub4dor&3-correct-horse";
  const std::string wrong_password = "wrong-Passw0rd-guess-1234";
  secret("password", password);
  secret("wrong password", wrong_password);
  CreateUser(*gw, "alice@example.com", password);
  TestClient app =
      CreateClient(*gw, "app", "https://app.example/cb",
                   {"--first-party", "--confidential", "--scopes", "keys agents", "--grant-types",
                    "authorization_code refresh_token client_credentials"});
  TestClient rs = CreateClient(
      *gw, "rs", "", {"--confidential", "--introspect", "--grant-types", "client_credentials"});
  secret("client secret", app.secret);
  secret("introspector secret", rs.secret);

  // Browser login: a failure, then a success; the CSRF cookie and token and the session.
  LoginForm form = FetchLoginForm(port);
  secret("csrf cookie", CookieValue(form.csrf_cookie));
  secret("csrf token", form.csrf_token);
  EXPECT_EQ(PostLogin(port, form, "alice@example.com", wrong_password).status, 401);
  EXPECT_EQ(PostLogin(port, form, "nobody@example.com", password).status, 401);
  std::string session = LoginSession(port, "alice@example.com", password);
  secret("session cookie", CookieValue(session));

  // Authorization code with PKCE; state carries a secret-looking value too.
  Pkce pkce = NewPkce();
  secret("code verifier", pkce.verifier);
  std::string code = AuthorizeCode(port, app, session, pkce);
  secret("authorization code", code);
  auto bad_verifier = PostForm(port, "/oauth/token",
                               {{"grant_type", "authorization_code"},
                                {"code", code},
                                {"redirect_uri", app.redirect_uri},
                                {"code_verifier", std::string(43, 'x')}},
                               {{"Authorization", BasicAuth(app.id, app.secret)}});
  EXPECT_EQ(bad_verifier.status, 400);
  auto redeemed = RedeemCode(port, app, code, pkce.verifier);
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;
  std::string access = json::parse(redeemed.body)["access_token"];
  std::string refresh = json::parse(redeemed.body)["refresh_token"];
  secret("access token", access);
  secret("refresh token", refresh);

  auto refreshed = Refresh(port, app, refresh);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  std::string access2 = json::parse(refreshed.body)["access_token"];
  std::string refresh2 = json::parse(refreshed.body)["refresh_token"];
  secret("rotated access token", access2);
  secret("rotated refresh token", refresh2);

  // Client credentials: Basic, post, a wrong secret, and JSON.
  EXPECT_EQ(PostForm(port, "/oauth/token", {{"grant_type", "client_credentials"}},
                     {{"Authorization", BasicAuth(app.id, app.secret)}})
                .status,
            200);
  EXPECT_EQ(PostForm(port, "/oauth/token",
                     {{"grant_type", "client_credentials"},
                      {"client_id", app.id},
                      {"client_secret", app.secret}})
                .status,
            200);
  const std::string wrong_secret = "Wr0ngClientSecretValue-0123456789abcdefXYZ";
  secret("wrong client secret", wrong_secret);
  EXPECT_EQ(PostForm(port, "/oauth/token", {{"grant_type", "client_credentials"}},
                     {{"Authorization", BasicAuth(app.id, wrong_secret)}})
                .status,
            401);
  json cc_json = {
      {"grant_type", "client_credentials"}, {"client_id", app.id}, {"client_secret", app.secret}};
  EXPECT_EQ(
      Fetch(port, "POST", "/oauth/token", {{"Content-Type", "application/json"}}, cc_json.dump())
          .status,
      200);
  // A token where it does not belong: in the query and in the path.
  Fetch(port, "POST", "/oauth/token?code=" + code + "&refresh_token=" + refresh2,
        {{"Content-Type", "application/x-www-form-urlencoded"}}, "grant_type=nonsense");
  Fetch(port, "GET", "/no/such/" + access2);
  Fetch(port, "GET",
        "/oauth/authorize?client_id=app&redirect_uri=https://evil.example/&state=" + refresh2);

  // Introspection and revocation, of real and made-up tokens.
  EXPECT_EQ(IntrospectToken(port, rs, access2).status, 200);
  EXPECT_EQ(IntrospectToken(port, rs, refresh2).status, 200);
  const std::string made_up = "oat_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5";
  secret("made-up token", made_up);
  EXPECT_EQ(IntrospectToken(port, rs, made_up).status, 200);
  EXPECT_EQ(PostForm(port, "/oauth/introspect", {{"token", access2}},
                     {{"Authorization", BasicAuth(rs.id, wrong_secret)}})
                .status,
            401);

  // The management API with the bearer token, an API key and /v1/validate.
  auto agent = CallApi(port, "POST", "/api/v1/agents", access2, {{"name", "worker"}});
  ASSERT_EQ(agent.status, 201) << agent.raw.body;
  std::string agent_id = agent.body["id"];
  EXPECT_EQ(CallApi(port, "POST", "/api/v1/agents/" + agent_id + "/tools", access2,
                    {{"name", "github"}, {"scopes", {"read"}}})
                .status,
            201);
  EXPECT_EQ(CallApi(port, "POST", "/api/v1/agents/" + agent_id + "/rules", access2,
                    {{"tool", "github"}, {"scope", "read"}, {"require_reasoning", "soft"}})
                .status,
            201);
  auto created = CallApi(port, "POST", "/api/v1/auth/api-keys", access2,
                         {{"name", "ci"}, {"agent_id", agent_id}});
  ASSERT_EQ(created.status, 201) << created.raw.body;
  std::string key = created.body["key"];
  std::string key_id = created.body["key_id"];
  secret("API key", key);
  secret("API key secret half", key.substr(key.find(".sk_") + 1));
  EXPECT_EQ(CallValidate(port, key, {{"tool", "github"}, {"scope", "read"}}).status, 200);
  EXPECT_EQ(CallValidate(port, key, {{"tool", "github"}, {"scope", "read"}}, true).status, 200);
  std::string forged_key = key.substr(0, key.size() - 5) + "AAAAA";
  secret("wrong API key", forged_key.substr(forged_key.find(".sk_") + 1));
  EXPECT_EQ(CallValidate(port, forged_key, {{"tool", "github"}, {"scope", "read"}}).status, 401);
  auto rotated = CallApi(port, "POST", "/api/v1/auth/api-keys/" + key_id + "/rotate", access2,
                         {{"grace_seconds", 60}});
  ASSERT_EQ(rotated.status, 201) << rotated.raw.body;
  std::string key2 = rotated.body["key"];
  secret("rotated API key", key2);
  EXPECT_EQ(CallApi(port, "GET", "/api/v1/auth/api-keys", access2).status, 200);
  EXPECT_EQ(CallApi(port, "GET", "/api/v1/decisions?limit=5", access2).status, 200);
  // A request id is echoed into every line: a secret there must not survive either.
  Fetch(port, "GET", "/readyz", {{"X-Request-Id", access2}});

  // Revocation, then the browser pages with the cookie, and logout.
  EXPECT_EQ(PostForm(port, "/oauth/revoke", {{"token", access2}},
                     {{"Authorization", BasicAuth(app.id, app.secret)}})
                .status,
            200);
  EXPECT_EQ(Refresh(port, app, refresh).status, 400) << "reuse";
  EXPECT_EQ(RedeemCode(port, app, code, pkce.verifier).status, 400) << "code replay";
  auto home = Fetch(port, "GET", "/", {{"Cookie", session}});
  EXPECT_EQ(home.status, 200);
  Fetch(port, "GET", "/dashboard", {{"Cookie", session}});
  EXPECT_EQ(Fetch(port, "POST", "/web/logout",
                  {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", session}},
                  "csrf=" + UrlEncode(HiddenField(home.body, "csrf")))
                .status,
            303);
  Fetch(port, "GET", "/metrics");
  Fetch(port, "GET", "/.well-known/oauth-authorization-server");

  ASSERT_EQ(gw->Stop(), 0);
  std::string logs = gw->Logs();
  for (const auto& [what, value] : secrets) {
    EXPECT_EQ(logs.find(value), std::string::npos) << "the " << what << " is in the logs";
  }

  // One JSON object per line; access lines carry what an on-call engineer filters by.
  std::istringstream lines(logs);
  std::string line;
  int access_lines = 0, n = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    ++n;
    json j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    for (const char* field : {"ts", "level", "msg"}) EXPECT_TRUE(j.contains(field)) << line;
    if (j["msg"] == "request") {
      ++access_lines;
      for (const char* field :
           {"request_id", "method", "path", "route", "status", "latency_ms", "client_address"}) {
        EXPECT_TRUE(j.contains(field)) << field << " missing: " << line;
      }
    }
  }
  EXPECT_GT(access_lines, 30) << logs;
  EXPECT_GT(n, access_lines);
}

}  // namespace
}  // namespace oakgate::test
