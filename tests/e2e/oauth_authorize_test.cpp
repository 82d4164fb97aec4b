// GET /oauth/authorize: the order of checks, error pages versus error redirects, state and iss
// on every redirect, consent and the loopback confirmation page.
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
// Keycloak's AuthorizationCodeTest state: must come back byte for byte (PITFALLS 15).
constexpr const char* kNastyState = "\"><foo>bar_baz(2)far</foo>";

class OAuthAuthorizeE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    CreateUser(*gw_, "alice@example.com", kPassword);
    app_ = new TestClient(CreateClient(*gw_, "app", "https://app.example/cb",
                                       {"--first-party", "--scopes", "keys agents"}));
    CreateClient(*gw_, "two-uris", "https://a.example/cb",
                 {"--redirect-uri", "https://b.example/cb", "--first-party"});
    native_ = new TestClient(CreateClient(*gw_, "native", "http://127.0.0.1/callback",
                                          {"--first-party", "--scopes", "keys"}));
    CreateClient(*gw_, "machine", "",
                 {"--confidential", "--grant-types", "client_credentials", "--scopes", "keys"});
    session_ = new std::string(LoginSession(gw_->port(), "alice@example.com", kPassword));
  }
  static void TearDownTestSuite() {
    delete session_;
    delete app_;
    delete native_;
    delete gw_;
    delete db_;
  }
  static int port() { return gw_->port(); }
  static std::string Issuer() { return "http://127.0.0.1:" + std::to_string(port()); }

  // A valid request for `app`, with `state`.
  static Fields Valid(const std::string& state = "abc") {
    return {{"response_type", "code"},
            {"client_id", app_->id},
            {"redirect_uri", app_->redirect_uri},
            {"scope", "keys"},
            {"state", state},
            {"code_challenge", NewPkce().challenge},
            {"code_challenge_method", "S256"}};
  }
  static Fields With(Fields f, const std::string& name, const std::string& value) {
    for (auto& [n, v] : f) {
      if (n == name) {
        v = value;
        return f;
      }
    }
    f.emplace_back(name, value);
    return f;
  }
  static Fields Without(Fields f, const std::string& name) {
    std::erase_if(f, [&](const auto& kv) { return kv.first == name; });
    return f;
  }
  static int64_t Codes() {
    return std::stoll(db_->Scalar("SELECT count(*) FROM authorization_codes"));
  }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static TestClient* app_;
  static TestClient* native_;
  static std::string* session_;
};

TestDatabase* OAuthAuthorizeE2E::db_ = nullptr;
GatewayProcess* OAuthAuthorizeE2E::gw_ = nullptr;
TestClient* OAuthAuthorizeE2E::app_ = nullptr;
TestClient* OAuthAuthorizeE2E::native_ = nullptr;
std::string* OAuthAuthorizeE2E::session_ = nullptr;

void ExpectHtmlPage(const HttpResponse& r) {
  EXPECT_NE(r.Header("content-type").value_or("").find("text/html"), std::string::npos);
  auto csp = r.Header("content-security-policy").value_or("");
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("form-action 'self'"), std::string::npos) << csp;
  EXPECT_EQ(r.Header("x-frame-options"), "DENY");
  EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_FALSE(r.Header("location"));
}

TEST_F(OAuthAuthorizeE2E, ClientAndRedirectProblemsAreHtmlPagesNeverRedirects) {
  struct Case {
    const char* what;
    Fields fields;
  };
  std::vector<Case> cases = {
      {"unknown client", With(Valid(), "client_id", "nobody")},
      {"missing client", Without(Valid(), "client_id")},
      {"unregistered redirect", With(Valid(), "redirect_uri", "https://evil.example/cb")},
      {"trailing slash", With(Valid(), "redirect_uri", "https://app.example/cb/")},
      {"case differs", With(Valid(), "redirect_uri", "https://APP.example/cb")},
      {"omitted with two registered",
       Without(With(Valid(), "client_id", "two-uris"), "redirect_uri")},
  };
  Fields repeated_client = Valid();
  repeated_client.emplace_back("client_id", app_->id);
  cases.push_back({"repeated client_id", repeated_client});
  Fields repeated_redirect = Valid();
  repeated_redirect.emplace_back("redirect_uri", app_->redirect_uri);
  cases.push_back({"repeated redirect_uri", repeated_redirect});
  for (const auto& c : cases) {
    for (const std::string& session : {std::string(), *session_}) {
      auto r = GetAuthorize(port(), c.fields, session);
      EXPECT_EQ(r.status, 400) << c.what;
      ExpectHtmlPage(r);
    }
  }
}

TEST_F(OAuthAuthorizeE2E, NoSessionGoesToLoginBeforeAnyErrorRedirect) {
  // Even an invalid request (no PKCE) is not redirected to the client for a visitor with no
  // session (RFC 9700 §4.11.2).
  for (const Fields& f : {Valid(), Without(Valid(), "code_challenge")}) {
    auto r = GetAuthorize(port(), f, "");
    ASSERT_EQ(r.status, 302);
    std::string location = r.Header("location").value_or("");
    EXPECT_EQ(location, "/web/login?return_to=" + UrlEncode(AuthorizeTarget(f)));
  }
  auto json = GetAuthorize(port(), Valid(), "", {{"Accept", "application/json"}});
  EXPECT_EQ(json.status, 401);
  auto body = nlohmann::json::parse(json.body);
  EXPECT_EQ(body["error"], "AUTH_REQUIRED");
  EXPECT_EQ(body["login_url"].get<std::string>().rfind(Issuer() + "/web/login?return_to=", 0), 0u);
  // A cookie that is not a live session is no session.
  EXPECT_EQ(GetAuthorize(port(), Valid(), "oakgate_session=" + std::string(43, 'a')).status, 302);
}

TEST_F(OAuthAuthorizeE2E, ErrorsAfterTheRedirectIsVerifiedAreRedirectsWithStateAndIss) {
  struct Case {
    const char* what;
    Fields fields;
    const char* error;
  };
  // RFC 8707: resources must be registered (issue 8); `keys` belongs to no resource.
  for (const char* uri : {"https://api.example", "https://api2.example"}) {
    auto made = RunOakgate({"resource", "create", "--uri", uri, "--name", uri}, gw_->env());
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  Fields resource_twice = Without(Valid(), "scope");
  resource_twice.emplace_back("resource", "https://api.example");
  resource_twice.emplace_back("resource", "https://api2.example");
  Fields unknown_resource = Valid();
  unknown_resource.emplace_back("resource", "https://unknown.example");
  Fields scope_twice = Valid();
  scope_twice.emplace_back("scope", "keys");
  std::vector<Case> cases = {
      {"no response_type", Without(Valid(), "response_type"), "invalid_request"},
      {"token response_type", With(Valid(), "response_type", "token"), "unsupported_response_type"},
      {"no challenge", Without(Valid(), "code_challenge"), "invalid_request"},
      {"no method means plain", Without(Valid(), "code_challenge_method"), "invalid_request"},
      {"plain", With(Valid(), "code_challenge_method", "plain"), "invalid_request"},
      {"short challenge", With(Valid(), "code_challenge", std::string(42, 'a')), "invalid_request"},
      {"long challenge", With(Valid(), "code_challenge", std::string(44, 'a')), "invalid_request"},
      {"bad characters", With(Valid(), "code_challenge", std::string(42, 'a') + "+"),
       "invalid_request"},
      {"scope not registered", With(Valid(), "scope", "keys admin"), "invalid_scope"},
      {"malformed scope", With(Valid(), "scope", "keys\"x"), "invalid_scope"},
      {"repeated scope", scope_twice, "invalid_request"},
      {"unknown resource", unknown_resource, "invalid_target"},
      {"relative resource", With(Without(Valid(), "scope"), "resource", "/api"), "invalid_target"},
  };
  int64_t before = Codes();
  for (const auto& c : cases) {
    auto r = GetAuthorize(port(), c.fields, *session_);
    ASSERT_EQ(r.status, 302) << c.what << ": " << r.body;
    std::string location = r.Header("location").value_or("");
    EXPECT_EQ(location.rfind(app_->redirect_uri + "?", 0), 0u) << location;
    auto q = QueryOf(location);
    EXPECT_EQ(q["error"], c.error) << c.what;
    EXPECT_FALSE(q["error_description"].empty()) << c.what;
    EXPECT_EQ(q["state"], "abc") << c.what;
    EXPECT_EQ(q["iss"], Issuer()) << c.what;
    EXPECT_EQ(q.count("code"), 0u) << c.what;
  }
  EXPECT_EQ(Codes(), before) << "a failed request leaves no code behind";
  // `resource` may repeat (RFC 8707).
  auto ok = GetAuthorize(port(), resource_twice, *session_);
  ASSERT_EQ(ok.status, 302);
  EXPECT_TRUE(QueryOf(ok.Header("location").value_or("")).count("code"));
}

TEST_F(OAuthAuthorizeE2E, StateIsEchoedByteForByteOnSuccessAndError) {
  auto ok = GetAuthorize(port(), Valid(kNastyState), *session_);
  ASSERT_EQ(ok.status, 302);
  std::string location = ok.Header("location").value_or("");
  EXPECT_EQ(location.find('<'), std::string::npos) << "encoded in the URL";
  EXPECT_EQ(QueryOf(location)["state"], kNastyState);
  EXPECT_EQ(QueryOf(location)["iss"], Issuer());
  auto error = GetAuthorize(port(), Without(Valid(kNastyState), "code_challenge"), *session_);
  EXPECT_EQ(QueryOf(error.Header("location").value_or(""))["state"], kNastyState);
}

TEST_F(OAuthAuthorizeE2E, StateAndReturnToAreEscapedInPages) {
  // The loopback confirmation page prints the state into a hidden field.
  Fields f = Valid(kNastyState);
  f = With(With(f, "client_id", native_->id), "redirect_uri", "http://127.0.0.1:5555/callback");
  auto page = GetAuthorize(port(), f, *session_);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.body.find("<foo>"), std::string::npos);
  EXPECT_NE(page.body.find("&quot;&gt;&lt;foo&gt;bar_baz(2)far&lt;/foo&gt;"), std::string::npos);
  // The login page prints return_to, which carries the state.
  auto login = Fetch(port(), "GET", "/web/login?return_to=" + UrlEncode(AuthorizeTarget(f)));
  ASSERT_EQ(login.status, 200);
  EXPECT_EQ(login.body.find("<foo>"), std::string::npos);
}

TEST_F(OAuthAuthorizeE2E, OmittedScopeMeansTheRegisteredScopes) {
  Pkce pkce = NewPkce();
  Fields f = Without(Valid(), "scope");
  f = With(f, "code_challenge", pkce.challenge);
  auto r = GetAuthorize(port(), f, *session_);
  ASSERT_EQ(r.status, 302);
  auto code = QueryOf(r.Header("location").value_or(""))["code"];
  auto token = RedeemCode(port(), *app_, code, pkce.verifier);
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_EQ(nlohmann::json::parse(token.body)["scope"], "keys agents");
}

TEST_F(OAuthAuthorizeE2E, OmittedRedirectUriUsesTheOnlyRegisteredOne) {
  auto r = GetAuthorize(port(), Without(Valid(), "redirect_uri"), *session_);
  ASSERT_EQ(r.status, 302);
  EXPECT_EQ(r.Header("location").value_or("").rfind("https://app.example/cb?code=", 0), 0u);
}

TEST_F(OAuthAuthorizeE2E, LoopbackPublicClientConfirmsEveryTimeOnAnyPort) {
  for (int port_number : {5555, 61000}) {
    std::string redirect = "http://127.0.0.1:" + std::to_string(port_number) + "/callback";
    Fields f = With(With(Valid(), "client_id", native_->id), "redirect_uri", redirect);
    auto page = GetAuthorize(port(), f, *session_);
    ASSERT_EQ(page.status, 200) << "first-party, but a loopback public client";
    EXPECT_NE(page.body.find("loopback-warning"), std::string::npos);
    auto csp = page.Header("content-security-policy").value_or("");
    EXPECT_NE(csp.find("form-action 'self' http://127.0.0.1:" + std::to_string(port_number) + ";"),
              std::string::npos)
        << csp;
    auto approved = SubmitConsent(port(), page.body, *session_, "approve");
    ASSERT_EQ(approved.status, 303) << approved.body;
    EXPECT_EQ(approved.Header("location").value_or("").rfind(redirect + "?code=", 0), 0u);
  }
  // A different path is not the registered URI.
  Fields other =
      With(With(Valid(), "client_id", native_->id), "redirect_uri", "http://127.0.0.1:5555/other");
  EXPECT_EQ(GetAuthorize(port(), other, *session_).status, 400);
}

TEST_F(OAuthAuthorizeE2E, ClientWithoutTheCodeGrantIsUnauthorized) {
  // "machine" has no redirect URI, so the request cannot be verified: an error page.
  auto r = GetAuthorize(port(), With(Without(Valid(), "redirect_uri"), "client_id", "machine"),
                        *session_);
  EXPECT_EQ(r.status, 400);
}

TEST_F(OAuthAuthorizeE2E, MalformedQueryIsAnHtmlPage) {
  auto r = Fetch(port(), "GET", "/oauth/authorize?client_id=%zz", {{"Cookie", *session_}});
  EXPECT_EQ(r.status, 400);
  ExpectHtmlPage(r);
}

}  // namespace
}  // namespace oakgate::test
