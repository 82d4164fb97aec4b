// Dynamic client registration (RFC 7591) against the real binary: register -> authorize with
// `resource` -> token -> introspect with the right aud; every registration error; registered
// clients' errors as HTML pages; open, token and off modes; throttling; pruning.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/private_cluster.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";
const std::string kMcp = "https://mcp.example/mcp";
using nlohmann::json;

HttpResponse PostRegister(int port, const std::string& body, const std::string& source = "",
                          const std::vector<std::pair<std::string, std::string>>& extra = {},
                          const std::string& type = "application/json") {
  auto headers = extra;
  headers.emplace_back("Content-Type", type);
  return Fetch(port, "POST", "/oauth/register", headers, body, source);
}

json Body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

using Env = std::map<std::string, std::string>;

// A gateway of its own with a resource and an introspector, for the mode and throttle tests.
struct Stack {
  explicit Stack(std::map<std::string, std::string> env = {}) : gw(db.url(), std::move(env)) {
    rs = CreateClient(gw, "rs", "",
                      {"--confidential", "--introspect", "--grant-types", "client_credentials"});
    auto r = RunOakgate({"resource", "create", "--uri", kMcp, "--name", "The MCP Server",
                         "--scopes", "tools:read tools:call", "--introspector", "rs"},
                        gw.env());
    if (r.exit_code != 0) throw std::runtime_error(r.err);
  }
  TestDatabase db;
  GatewayProcess gw;
  TestClient rs;
};

class RegistrationE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new Stack(Env{{"OAKGATE_REGISTRATION_RATE_LIMIT", "1000"}});
    CreateUser(stack_->gw, "alice@example.com", kPassword);
    session_ = new std::string(LoginSession(port(), "alice@example.com", kPassword));
  }
  static void TearDownTestSuite() {
    delete session_;
    delete stack_;
  }
  static int port() { return stack_->gw.port(); }
  static const TestDatabase& db() { return stack_->db; }

  static json Register(const json& body) {
    auto r = PostRegister(port(), body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r);
  }
  static Fields AuthorizeFields(const std::string& client_id, const std::string& redirect,
                                const Pkce& pkce, const std::vector<std::string>& resources,
                                const std::string& scope = "") {
    Fields f = {{"response_type", "code"},          {"client_id", client_id},
                {"redirect_uri", redirect},         {"state", "mcp-state"},
                {"code_challenge", pkce.challenge}, {"code_challenge_method", "S256"}};
    if (!scope.empty()) f.emplace_back("scope", scope);
    for (const auto& r : resources) f.emplace_back("resource", r);
    return f;
  }

  static Stack* stack_;
  static std::string* session_;
};

Stack* RegistrationE2E::stack_ = nullptr;
std::string* RegistrationE2E::session_ = nullptr;

TEST_F(RegistrationE2E, RegisterAuthorizeWithResourceTokenIntrospectWithTheRightAud) {
  json reg = Register({{"client_name", "Agent <X>"},
                       {"redirect_uris", {"http://127.0.0.1/callback"}},
                       {"grant_types", {"authorization_code", "refresh_token"}},
                       {"response_types", {"code"}},
                       {"scope", "tools:read"}});
  std::string id = reg["client_id"];
  EXPECT_EQ(id.rfind("reg_", 0), 0u);
  EXPECT_TRUE(reg["client_id_issued_at"].is_number_integer());
  EXPECT_EQ(reg["token_endpoint_auth_method"], "none");
  EXPECT_EQ(reg["client_name"], "Agent <X>");
  EXPECT_EQ(reg["redirect_uris"], json::array({"http://127.0.0.1/callback"}));
  EXPECT_EQ(reg["grant_types"], json::array({"authorization_code", "refresh_token"}));
  EXPECT_EQ(reg["scope"], "tools:read");
  EXPECT_FALSE(reg.contains("client_secret"));
  EXPECT_EQ(db().Scalar("SELECT is_registered AND NOT is_first_party AND NOT is_confidential"
                        " FROM clients WHERE id = '" +
                        id + "'"),
            "t");

  // The loopback port is the client's choice (RFC 8252 §7.3).
  std::string redirect = "http://127.0.0.1:49152/callback";
  Pkce pkce = NewPkce();
  auto page = GetAuthorize(port(), AuthorizeFields(id, redirect, pkce, {kMcp}), *session_);
  ASSERT_EQ(page.status, 200) << page.body;
  // The consent page names the resource and says the client registered itself; the name is
  // escaped.
  EXPECT_NE(page.body.find("The MCP Server"), std::string::npos);
  EXPECT_NE(page.body.find(kMcp), std::string::npos);
  EXPECT_NE(page.body.find("id=\"registered-warning\""), std::string::npos);
  EXPECT_NE(page.body.find("Agent &lt;X&gt;"), std::string::npos);
  EXPECT_EQ(page.body.find("Agent <X>"), std::string::npos);
  auto approved = SubmitConsent(port(), page.body, *session_, "approve");
  ASSERT_EQ(approved.status, 303) << approved.body;
  auto q = QueryOf(approved.Header("location").value_or(""));
  ASSERT_TRUE(q.count("code"));
  EXPECT_EQ(q["state"], "mcp-state");

  TestClient client{id, "", redirect};
  auto token = RedeemCode(port(), client, q["code"], pkce.verifier);
  ASSERT_EQ(token.status, 200) << token.body;
  json t = Body(token);
  EXPECT_EQ(t["scope"], "tools:read");
  EXPECT_TRUE(t.contains("refresh_token"));
  json i = Body(IntrospectToken(port(), stack_->rs, t["access_token"]));
  EXPECT_EQ(i["active"], true);
  EXPECT_EQ(i["aud"], kMcp);
  EXPECT_EQ(i["client_id"], id);
  EXPECT_EQ(i["username"], "alice@example.com");

  // Never first-party: the consent page again on the next authorization.
  auto again = GetAuthorize(port(), AuthorizeFields(id, redirect, NewPkce(), {kMcp}), *session_);
  EXPECT_EQ(again.status, 200);
}

TEST_F(RegistrationE2E, HttpsRedirectClientStillSeesConsentEveryTime) {
  json reg = Register({{"redirect_uris", {"https://agent.example/cb"}}});
  // Defaults: an omitted method is none, echoed back; grant authorization_code; every scope
  // of the registered resources, never keys or agents.
  EXPECT_EQ(reg["token_endpoint_auth_method"], "none");
  EXPECT_EQ(reg["grant_types"], json::array({"authorization_code"}));
  EXPECT_EQ(reg["response_types"], json::array({"code"}));
  std::string scope = reg["scope"];
  EXPECT_NE(scope.find("tools:read"), std::string::npos);
  EXPECT_EQ(scope.find("keys"), std::string::npos);
  for (int round = 0; round < 2; ++round) {
    auto page = GetAuthorize(
        port(), AuthorizeFields(reg["client_id"], "https://agent.example/cb", NewPkce(), {kMcp}),
        *session_);
    ASSERT_EQ(page.status, 200) << round;
    auto ok = SubmitConsent(port(), page.body, *session_, "approve");
    EXPECT_EQ(ok.status, 303);
  }
}

TEST_F(RegistrationE2E, EveryBadRegistrationGetsItsErrorAndCreatesNothing) {
  const std::string loopback = R"("redirect_uris": ["http://127.0.0.1/cb"])";
  std::vector<std::string> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back("http://127.0.0.1/cb" + std::to_string(i));
  struct Case {
    std::string body;
    std::string error;
    std::string type = "application/json";
  };
  const std::vector<Case> cases = {
      {"[]", "invalid_client_metadata"},
      {"\"register me\"", "invalid_client_metadata"},
      {"{not json", "invalid_client_metadata"},
      {"", "invalid_client_metadata"},
      {"redirect_uris=http://127.0.0.1/cb", "invalid_client_metadata",
       "application/x-www-form-urlencoded"},
      {"{}", "invalid_redirect_uri"},
      {R"({"redirect_uris": ["https://app.example/cb#fragment"]})", "invalid_redirect_uri"},
      {R"({"redirect_uris": ["http://app.example/cb"]})", "invalid_redirect_uri"},
      {R"({"redirect_uris": ["https://*.example.com/cb"]})", "invalid_redirect_uri"},
      {R"({"redirect_uris": ["com.example.app:/cb"]})", "invalid_redirect_uri"},
      {R"({"redirect_uris": ["/relative/cb"]})", "invalid_redirect_uri"},
      {json({{"redirect_uris", eleven}}).dump(), "invalid_redirect_uri"},
      {"{" + loopback + R"(, "client_name": ")" + std::string(201, 'x') + "\"}",
       "invalid_client_metadata"},
      {"{" + loopback + R"(, "token_endpoint_auth_method": "client_secret_basic"})",
       "invalid_client_metadata"},
      {"{" + loopback + R"(, "token_endpoint_auth_method": "private_key_jwt"})",
       "invalid_client_metadata"},
      {"{" + loopback + R"(, "grant_types": ["client_credentials"]})", "invalid_client_metadata"},
      {"{" + loopback + R"(, "grant_types": ["authorization_code", "implicit"]})",
       "invalid_client_metadata"},
      {"{" + loopback + R"(, "response_types": ["token"]})", "invalid_client_metadata"},
      {"{" + loopback + R"(, "scope": "keys"})", "invalid_client_metadata"},
      {"{" + loopback + R"(, "scope": "tools:read agents"})", "invalid_client_metadata"},
      {"{" + loopback + R"(, "scope": "not:offered"})", "invalid_client_metadata"},
      {"{" + loopback + R"(, "client_name": ["x"]})", "invalid_client_metadata"},
      {std::string(20000, '[') + std::string(20000, ']'), "invalid_client_metadata"},
  };
  std::string before = db().Scalar("SELECT count(*) FROM clients");
  for (const auto& c : cases) {
    auto r = PostRegister(port(), c.body, "127.0.0.20", {}, c.type);
    EXPECT_EQ(r.status, 400) << c.body.substr(0, 200) << " -> " << r.body;
    EXPECT_EQ(Body(r)["error"], c.error) << c.body.substr(0, 200) << " -> " << r.body;
    EXPECT_TRUE(Body(r).contains("error_description"));
    EXPECT_EQ(r.Header("cache-control"), "no-store");
  }
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM clients"), before);
  // Unknown metadata is ignored, not an error.
  auto ok =
      PostRegister(port(), "{" + loopback + R"(, "logo_uri": "https://x/l.png", "software_id": 7})",
                   "127.0.0.20");
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_FALSE(Body(ok).contains("logo_uri"));
}

TEST_F(RegistrationE2E, RegisteredClientsErrorsAndDenialsArePagesNotRedirects) {
  json reg = Register({{"redirect_uris", {"http://127.0.0.1/cb"}}});
  std::string id = reg["client_id"];
  // invalid_target and a missing PKCE challenge: shown, not sent to the redirect URI.
  for (const auto& fields :
       {AuthorizeFields(id, "http://127.0.0.1/cb", NewPkce(), {"https://unknown.example/"}),
        Fields{{"response_type", "code"},
               {"client_id", id},
               {"redirect_uri", "http://127.0.0.1/cb"}}}) {
    auto r = GetAuthorize(port(), fields, *session_);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_FALSE(r.Header("location"));
    EXPECT_NE(r.Header("content-type").value_or("").find("text/html"), std::string::npos);
  }
  auto r = GetAuthorize(
      port(), AuthorizeFields(id, "http://127.0.0.1/cb", NewPkce(), {"https://unknown.example/"}),
      *session_);
  EXPECT_NE(r.body.find("invalid_target"), std::string::npos);
  // Deny: a page too.
  auto page = GetAuthorize(port(), AuthorizeFields(id, "http://127.0.0.1/cb", NewPkce(), {kMcp}),
                           *session_);
  ASSERT_EQ(page.status, 200);
  auto denied = SubmitConsent(port(), page.body, *session_, "deny");
  EXPECT_EQ(denied.status, 403);
  EXPECT_FALSE(denied.Header("location"));
  EXPECT_NE(denied.body.find("access_denied"), std::string::npos);
}

TEST_F(RegistrationE2E, MetadataAdvertisesRegistrationAndPkce) {
  auto r = Fetch(port(), "GET", "/.well-known/oauth-authorization-server");
  ASSERT_EQ(r.status, 200);
  json m = Body(r);
  EXPECT_EQ(m["registration_endpoint"], m["issuer"].get<std::string>() + "/oauth/register");
  EXPECT_EQ(m["code_challenge_methods_supported"], json::array({"S256"}));
  EXPECT_EQ(m["authorization_response_iss_parameter_supported"], true);
  // Browser-based MCP clients register cross-origin.
  auto pre =
      Fetch(port(), "OPTIONS", "/oauth/register",
            {{"Origin", "https://inspector.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.Header("access-control-allow-origin"), "*");
  auto reg = PostRegister(port(), R"({"redirect_uris": ["http://localhost:6274/cb"]})", "",
                          {{"Origin", "https://inspector.example"}});
  EXPECT_EQ(reg.status, 201);
  EXPECT_EQ(reg.Header("access-control-allow-origin"), "*");
}

TEST_F(RegistrationE2E, RegisteredClientsNeverUsedArePruned) {
  json unused = Register({{"redirect_uris", {"http://127.0.0.1/cb"}}});
  json used = Register({{"redirect_uris", {"http://127.0.0.1/cb"}}});
  Pkce pkce = NewPkce();
  auto page = GetAuthorize(
      port(), AuthorizeFields(used["client_id"], "http://127.0.0.1/cb", pkce, {kMcp}), *session_);
  ASSERT_EQ(page.status, 200);
  ASSERT_EQ(SubmitConsent(port(), page.body, *session_, "approve").status, 303);
  // Both registered two days ago (the default unused lifetime is one day).
  db().Scalar("UPDATE clients SET created_at = now() - interval '2 days' WHERE id IN ('" +
              unused["client_id"].get<std::string>() + "', '" +
              used["client_id"].get<std::string>() + "')");
  auto pruned = RunOakgate({"prune"}, stack_->gw.env());
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_GE(json::parse(pruned.out)["registered_clients"].get<int>(), 1) << pruned.out;
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM clients WHERE id = '" +
                        unused["client_id"].get<std::string>() + "'"),
            "0");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM clients WHERE id = '" +
                        used["client_id"].get<std::string>() + "'"),
            "1");
  // Operator-made clients are never pruned, however old.
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM clients WHERE id = 'rs'"), "1");
}

TEST(RegistrationModesE2E, ThrottledPerAddress) {
  Stack s(Env{{"OAKGATE_REGISTRATION_RATE_LIMIT", "3"}});
  const std::string body = R"({"redirect_uris": ["http://127.0.0.1/cb"]})";
  // Every attempt counts, failed ones too.
  EXPECT_EQ(PostRegister(s.gw.port(), body, "127.0.0.7").status, 201);
  EXPECT_EQ(PostRegister(s.gw.port(), "[]", "127.0.0.7").status, 400);
  EXPECT_EQ(PostRegister(s.gw.port(), body, "127.0.0.7").status, 201);
  std::string before = s.db.Scalar("SELECT count(*) FROM clients");
  auto limited = PostRegister(s.gw.port(), body, "127.0.0.7");
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(Body(limited)["error"], "too_many_requests");
  int retry = std::stoi(limited.Header("retry-after").value_or("0"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 3600);
  EXPECT_EQ(s.db.Scalar("SELECT count(*) FROM clients"), before);
  // Another address is not affected.
  EXPECT_EQ(PostRegister(s.gw.port(), body, "127.0.0.8").status, 201);
}

TEST(RegistrationModesE2E, TokenModeNeedsAnInitialAccessToken) {
  Stack s(Env{{"OAKGATE_REGISTRATION", "token"}});
  const std::string body = R"({"redirect_uris": ["http://127.0.0.1/cb"]})";
  auto missing = PostRegister(s.gw.port(), body);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(Body(missing)["error"], "invalid_token");
  EXPECT_NE(missing.Header("www-authenticate").value_or("").find("Bearer"), std::string::npos);
  auto made = RunOakgate({"registration-token", "create", "--name", "agent platform"}, s.gw.env());
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::string token = json::parse(made.out)["token"];
  EXPECT_EQ(token.rfind("oit_", 0), 0u);
  // Only its hash is stored.
  EXPECT_EQ(s.db.Scalar("SELECT count(*) FROM registration_tokens WHERE token_hash = sha256('" +
                        token + "'::bytea)"),
            "1");
  std::string wrong = token;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       std::vector<std::string>{"Bearer " + wrong, "Basic " + token, "Bearer ", token}) {
    auto r = PostRegister(s.gw.port(), body, "", {{"Authorization", bad}});
    EXPECT_EQ(r.status, 401) << bad;
    EXPECT_EQ(Body(r)["error"], "invalid_token");
  }
  auto ok = PostRegister(s.gw.port(), body, "", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(ok.status, 201) << ok.body;
  // Bad metadata with a good token is still the metadata error.
  auto bad = PostRegister(s.gw.port(), "[]", "", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(Body(bad)["error"], "invalid_client_metadata");
  // An expired token is refused.
  s.db.Scalar("UPDATE registration_tokens SET expires_at = now() - interval '1 second'");
  EXPECT_EQ(PostRegister(s.gw.port(), body, "", {{"Authorization", "Bearer " + token}}).status,
            401);
  EXPECT_EQ(Body(Fetch(s.gw.port(), "GET", "/.well-known/oauth-authorization-server"))
                .contains("registration_endpoint"),
            true);
}

TEST(RegistrationModesE2E, OffModeRefusesAndDoesNotAdvertise) {
  Stack s(Env{{"OAKGATE_REGISTRATION", "off"}});
  std::string before = s.db.Scalar("SELECT count(*) FROM clients");
  auto r = PostRegister(s.gw.port(), R"({"redirect_uris": ["http://127.0.0.1/cb"]})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r)["error"], "access_denied");
  EXPECT_EQ(s.db.Scalar("SELECT count(*) FROM clients"), before);
  json m = Body(Fetch(s.gw.port(), "GET", "/.well-known/oauth-authorization-server"));
  EXPECT_FALSE(m.contains("registration_endpoint"));
  EXPECT_EQ(m["code_challenge_methods_supported"], json::array({"S256"}));
}

// PITFALLS 2: a database failure is a 503 with Retry-After, never an OAuth answer that would
// tell the client its metadata is bad.
TEST(RegistrationModesE2E, DatabaseDownIsA503NeverARegistrationError) {
  PrivateCluster pg;
  {
    GatewayProcess gw(pg.url());
    ASSERT_TRUE(pg.Stop());
    ASSERT_TRUE(gw.WaitReady(503, std::chrono::seconds(15)));
    for (const std::string body : {R"({"redirect_uris": ["http://127.0.0.1/cb"]})", "[]"}) {
      auto r = PostRegister(gw.port(), body);
      EXPECT_EQ(r.status, 503) << r.body;
      EXPECT_EQ(Body(r)["error"], "temporarily_unavailable");
      EXPECT_TRUE(r.Header("retry-after"));
    }
    ASSERT_TRUE(pg.Start());
    ASSERT_TRUE(gw.WaitReady(200, std::chrono::seconds(20)));
    EXPECT_EQ(PostRegister(gw.port(), R"({"redirect_uris": ["http://127.0.0.1/cb"]})").status, 201);
  }
}

TEST(RegistrationModesE2E, BadModeStopsTheProcessWithExitTwo) {
  auto r = RunOakgate({"migrate", "--status"}, {{"OAKGATE_DATABASE_URL", "postgresql:///nowhere"},
                                                {"OAKGATE_REGISTRATION", "sometimes"}});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("registration"), std::string::npos);
}

}  // namespace
}  // namespace oakgate::test
