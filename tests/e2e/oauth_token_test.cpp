// POST /oauth/token with the authorization_code and client_credentials grants: PKCE, code
// single use and replay revocation, client authentication, body formats, throttling, and the
// group commit of client_credentials tokens.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";
using nlohmann::json;

class OAuthTokenE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    CreateUser(*gw_, "alice@example.com", kPassword);
    public_ = new TestClient(CreateClient(*gw_, "spa", "https://spa.example/cb",
                                          {"--first-party", "--scopes", "keys agents"}));
    other_ =
        new TestClient(CreateClient(*gw_, "other", "https://other.example/cb", {"--first-party"}));
    confidential_ = new TestClient(
        CreateClient(*gw_, "server", "https://server.example/cb",
                     {"--first-party", "--confidential", "--scopes", "keys", "--grant-types",
                      "authorization_code refresh_token client_credentials"}));
    introspector_ = new TestClient(CreateClient(
        *gw_, "rs", "", {"--confidential", "--introspect", "--grant-types", "client_credentials"}));
    session_ = new std::string(LoginSession(gw_->port(), "alice@example.com", kPassword));
  }
  static void TearDownTestSuite() {
    delete session_;
    delete public_;
    delete other_;
    delete confidential_;
    delete introspector_;
    delete gw_;
    delete db_;
  }
  static int port() { return gw_->port(); }
  static bool Active(const std::string& token) {
    return json::parse(IntrospectToken(port(), *introspector_, token).body)["active"];
  }
  static void ExpectError(const HttpResponse& r, int status, const std::string& error) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/json");
    EXPECT_EQ(r.Header("cache-control"), "no-store");
    auto body = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r.body;
    EXPECT_EQ(body["error"], error) << r.body;
    EXPECT_TRUE(body["error_description"].is_string()) << r.body;
  }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static TestClient* public_;
  static TestClient* other_;
  static TestClient* confidential_;
  static TestClient* introspector_;
  static std::string* session_;
};

TestDatabase* OAuthTokenE2E::db_ = nullptr;
GatewayProcess* OAuthTokenE2E::gw_ = nullptr;
TestClient* OAuthTokenE2E::public_ = nullptr;
TestClient* OAuthTokenE2E::other_ = nullptr;
TestClient* OAuthTokenE2E::confidential_ = nullptr;
TestClient* OAuthTokenE2E::introspector_ = nullptr;
std::string* OAuthTokenE2E::session_ = nullptr;

TEST_F(OAuthTokenE2E, WrongOrMissingVerifierIsInvalidGrantAndKeepsTheCode) {
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port(), *public_, *session_, pkce);
  ExpectError(RedeemCode(port(), *public_, code, NewPkce().verifier), 400, "invalid_grant");
  ExpectError(RedeemCode(port(), *public_, code, ""), 400, "invalid_grant");
  ExpectError(RedeemCode(port(), *public_, code, std::string(42, 'a')), 400, "invalid_grant");
  ExpectError(RedeemCode(port(), *public_, code, std::string(129, 'a')), 400, "invalid_grant");
  // Failed attempts do not burn the code: the right verifier still works.
  EXPECT_EQ(RedeemCode(port(), *public_, code, pkce.verifier).status, 200);
}

TEST_F(OAuthTokenE2E, SecondUseOfCodeRevokesIssuedTokens) {
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port(), *public_, *session_, pkce);
  auto first = RedeemCode(port(), *public_, code, pkce.verifier);
  ASSERT_EQ(first.status, 200);
  json t = json::parse(first.body);
  ASSERT_TRUE(Active(t["access_token"]));
  ExpectError(RedeemCode(port(), *public_, code, pkce.verifier), 400, "invalid_grant");
  EXPECT_FALSE(Active(t["access_token"]));
  ExpectError(Refresh(port(), *public_, t["refresh_token"]), 400, "invalid_grant");
  EXPECT_NE(
      db_->Scalar("SELECT count(*) FROM audit_events WHERE type = 'oauth.code_reuse_detected'"),
      "0");
}

TEST_F(OAuthTokenE2E, ReplayThatIsNotOtherwiseValidRevokesNothing) {
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port(), *public_, *session_, pkce);
  auto first = RedeemCode(port(), *public_, code, pkce.verifier);
  ASSERT_EQ(first.status, 200);
  std::string access = json::parse(first.body)["access_token"];
  // By another client (PITFALLS 5), and by the right client with a wrong verifier.
  TestClient thief = *other_;
  thief.redirect_uri = public_->redirect_uri;
  ExpectError(RedeemCode(port(), thief, code, pkce.verifier), 400, "invalid_grant");
  ExpectError(RedeemCode(port(), *public_, code, NewPkce().verifier), 400, "invalid_grant");
  EXPECT_TRUE(Active(access));
}

TEST_F(OAuthTokenE2E, RedirectUriMustMatchTheAuthorizationRequest) {
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port(), *public_, *session_, pkce);
  TestClient wrong = *public_;
  wrong.redirect_uri = "https://spa.example/other";
  ExpectError(RedeemCode(port(), wrong, code, pkce.verifier), 400, "invalid_grant");
  wrong.redirect_uri = "";
  ExpectError(RedeemCode(port(), wrong, code, pkce.verifier), 400, "invalid_grant");
  EXPECT_EQ(RedeemCode(port(), *public_, code, pkce.verifier).status, 200);
}

TEST_F(OAuthTokenE2E, ExpiredCodeIsInvalidGrant) {
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port(), *public_, *session_, pkce);
  db_->Scalar(
      "UPDATE authorization_codes SET expires_at = now() - interval '1 second'"
      " WHERE code_hash = sha256('" +
      code + "'::bytea)");
  ExpectError(RedeemCode(port(), *public_, code, pkce.verifier), 400, "invalid_grant");
}

TEST_F(OAuthTokenE2E, CodeOfADisabledUserIsInvalidGrant) {
  CreateUser(*gw_, "mallory@example.com", kPassword);
  std::string session = LoginSession(port(), "mallory@example.com", kPassword);
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port(), *public_, session, pkce);
  auto r = RunOakgate({"user", "disable", "--email", "mallory@example.com"}, gw_->env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectError(RedeemCode(port(), *public_, code, pkce.verifier), 400, "invalid_grant");
}

TEST_F(OAuthTokenE2E, UnknownAndMalformedCodesAreInvalidGrant) {
  ExpectError(RedeemCode(port(), *public_, std::string(43, 'A'), NewPkce().verifier), 400,
              "invalid_grant");
  ExpectError(RedeemCode(port(), *public_, "short", NewPkce().verifier), 400, "invalid_grant");
}

TEST_F(OAuthTokenE2E, TwoConcurrentRedemptionsHaveOneWinnerWhoseTokensAreRevoked) {
  for (int round = 0; round < 5; ++round) {
    Pkce pkce = NewPkce();
    std::string code = AuthorizeCode(port(), *public_, *session_, pkce);
    auto a = std::async(std::launch::async,
                        [&] { return RedeemCode(port(), *public_, code, pkce.verifier); });
    auto b = std::async(std::launch::async,
                        [&] { return RedeemCode(port(), *public_, code, pkce.verifier); });
    HttpResponse ra = a.get(), rb = b.get();
    int wins = (ra.status == 200) + (rb.status == 200);
    ASSERT_EQ(wins, 1) << ra.body << " / " << rb.body;
    const HttpResponse& winner = ra.status == 200 ? ra : rb;
    const HttpResponse& loser = ra.status == 200 ? rb : ra;
    ExpectError(loser, 400, "invalid_grant");
    // The loser was otherwise valid: the winner's tokens are inactive once both finished.
    EXPECT_FALSE(Active(json::parse(winner.body)["access_token"]));
  }
}

TEST_F(OAuthTokenE2E, ConfidentialClientAuthenticatesWithBasicOrPost) {
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port(), *confidential_, *session_, pkce);
  Fields f = {{"grant_type", "authorization_code"},
              {"code", code},
              {"redirect_uri", confidential_->redirect_uri},
              {"code_verifier", pkce.verifier}};
  // No secret, wrong secret: 401 invalid_client; with Basic, a Basic challenge.
  auto none = PostForm(port(), "/oauth/token", [&] {
    Fields g = f;
    g.emplace_back("client_id", confidential_->id);
    return g;
  }());
  ExpectError(none, 401, "invalid_client");
  auto wrong = PostForm(port(), "/oauth/token", f,
                        {{"Authorization", BasicAuth(confidential_->id, "wrong")}});
  ExpectError(wrong, 401, "invalid_client");
  EXPECT_NE(wrong.Header("www-authenticate").value_or("").find("Basic"), std::string::npos);
  // Basic and post at once is ambiguous.
  Fields both = f;
  both.emplace_back("client_secret", confidential_->secret);
  ExpectError(PostForm(port(), "/oauth/token", both,
                       {{"Authorization", BasicAuth(confidential_->id, confidential_->secret)}}),
              400, "invalid_request");
  auto ok = PostForm(port(), "/oauth/token", f,
                     {{"Authorization", BasicAuth(confidential_->id, confidential_->secret)}});
  ASSERT_EQ(ok.status, 200) << ok.body;
}

TEST_F(OAuthTokenE2E, BasicCredentialsAreFormUrlEncodedBeforeBase64) {
  // A secret with characters that form-urlencoding changes: set one directly.
  std::string secret = "s3cr:t+with%special&chars= \xc3\xa9";
  db_->Scalar("UPDATE clients SET secret_hash = sha256(convert_to('" + std::string(secret) +
              "', 'UTF8')) WHERE id = 'rs'");
  auto r = PostForm(port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                    {{"Authorization", BasicAuth("rs", secret)}});
  ASSERT_EQ(r.status, 200) << r.body;
  introspector_->secret = secret;
  // The raw (not form-encoded) secret in Basic is another secret.
  std::string raw = "Basic " + std::string("cnM6czNjcjp0K3dpdGglc3BlY2lhbA==");
  EXPECT_EQ(PostForm(port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                     {{"Authorization", raw}})
                .status,
            401);
}

TEST_F(OAuthTokenE2E, PublicClientThatSendsASecretIsInvalidClient) {
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port(), *public_, *session_, pkce);
  TestClient with_secret = *public_;
  with_secret.secret = "anything";
  ExpectError(RedeemCode(port(), with_secret, code, pkce.verifier), 401, "invalid_client");
  ExpectError(
      RedeemCode(port(), TestClient{"nobody", "", public_->redirect_uri}, code, pkce.verifier), 401,
      "invalid_client");
}

TEST_F(OAuthTokenE2E, ClientCredentialsGivesNoRefreshToken) {
  auto r = PostForm(port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                    {{"Authorization", BasicAuth(confidential_->id, confidential_->secret)}});
  ASSERT_EQ(r.status, 200) << r.body;
  json t = json::parse(r.body);
  EXPECT_FALSE(t.contains("refresh_token"));
  EXPECT_EQ(t["scope"], "keys") << "omitted scope: the registered scopes";
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_EQ(r.Header("pragma"), "no-cache");
  EXPECT_TRUE(Active(t["access_token"]));
  auto wider = PostForm(port(), "/oauth/token",
                        {{"grant_type", "client_credentials"}, {"scope", "keys agents"}},
                        {{"Authorization", BasicAuth(confidential_->id, confidential_->secret)}});
  ExpectError(wider, 400, "invalid_scope");
  // A public client may not use it.
  ExpectError(PostForm(port(), "/oauth/token",
                       {{"grant_type", "client_credentials"}, {"client_id", public_->id}}),
              400, "unauthorized_client");
}

TEST_F(OAuthTokenE2E, NoRefreshTokenForAClientWithoutThatGrant) {
  TestClient code_only = CreateClient(*gw_, "code-only", "https://code-only.example/cb",
                                      {"--first-party", "--grant-types", "authorization_code"});
  Pkce pkce = NewPkce();
  auto r = RedeemCode(port(), code_only, AuthorizeCode(port(), code_only, *session_, pkce),
                      pkce.verifier);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(json::parse(r.body).contains("refresh_token"));
}

TEST_F(OAuthTokenE2E, JsonBodiesFollowTheSameRules) {
  Pkce pkce = NewPkce();
  std::string code = AuthorizeCode(port(), *public_, *session_, pkce);
  json body = {{"grant_type", "authorization_code"},
               {"code", code},
               {"redirect_uri", public_->redirect_uri},
               {"code_verifier", pkce.verifier},
               {"client_id", public_->id}};
  auto post = [&](const std::string& text) {
    return Fetch(port(), "POST", "/oauth/token", {{"Content-Type", "application/json"}}, text);
  };
  ExpectError(post("{\"grant_type\": \"authorization_code\", \"grant_type\": \"x\"}"), 400,
              "invalid_request");
  ExpectError(post("{\"grant_type\": 5}"), 400, "invalid_request");
  ExpectError(post("{\"grant_type\": [\"a\"]}"), 400, "invalid_request");
  ExpectError(post("[]"), 400, "invalid_request");
  ExpectError(post("{not json"), 400, "invalid_request");
  ExpectError(post("{}"), 400, "invalid_request");
  auto ok = post(body.dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(json::parse(ok.body).contains("refresh_token"));
}

TEST_F(OAuthTokenE2E, BadFormsAreInvalidRequestNeverA500) {
  ExpectError(
      PostForm(port(), "/oauth/token",
               {{"grant_type", "client_credentials"}, {"grant_type", "client_credentials"}}),
      400, "invalid_request");
  ExpectError(PostForm(port(), "/oauth/token", {{"client_id", public_->id}}), 400,
              "invalid_request");
  ExpectError(
      PostForm(port(), "/oauth/token", {{"grant_type", "password"}, {"client_id", public_->id}}),
      400, "unsupported_grant_type");
  ExpectError(Fetch(port(), "POST", "/oauth/token", {{"Content-Type", "text/plain"}}, "x"), 400,
              "invalid_request");
  ExpectError(Fetch(port(), "POST", "/oauth/token",
                    {{"Content-Type", "application/x-www-form-urlencoded"}}, "grant_type=%zz"),
              400, "invalid_request");
  ExpectError(
      PostForm(port(), "/oauth/token",
               {{"grant_type", "authorization_code"}, {"client_id", std::string(300, 'x')}}),
      401, "invalid_client");
  ExpectError(PostForm(port(), "/oauth/token",
                       {{"grant_type", "refresh_token"},
                        {"client_id", public_->id},
                        {"refresh_token", "ort_\"><script>"}}),
              400, "invalid_grant");
  ExpectError(PostForm(port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                       {{"Authorization", "Basic !!!"}}),
              401, "invalid_client");
}

TEST_F(OAuthTokenE2E, FailedClientAuthenticationIsThrottled) {
  // From its own address, so the per-address limit does not touch other tests.
  const std::string addr = "127.0.0.77";
  int status = 0;
  HttpResponse last;
  for (int i = 0; i < 60 && status != 429; ++i) {
    last =
        PostForm(port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                 {{"Authorization", BasicAuth("victim-" + std::to_string(i % 3), "guess")}}, addr);
    status = last.status;
  }
  ASSERT_EQ(status, 429);
  ExpectError(last, 429, "too_many_requests");
  EXPECT_TRUE(last.Header("retry-after"));
  // The right secret is refused too while throttled.
  auto r = PostForm(port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                    {{"Authorization", BasicAuth(confidential_->id, confidential_->secret)}}, addr);
  EXPECT_EQ(r.status, 429);
  // Other addresses are not affected.
  EXPECT_EQ(PostForm(port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                     {{"Authorization", BasicAuth(confidential_->id, confidential_->secret)}},
                     "127.0.0.78")
                .status,
            200);
  EXPECT_NE(
      db_->Scalar("SELECT count(*) FROM audit_events WHERE type = 'oauth.client_auth_failed'"),
      "0");
}

TEST_F(OAuthTokenE2E, TokenEndpointAnswersCors) {
  auto pre = Fetch(port(), "OPTIONS", "/oauth/token",
                   {{"Origin", "https://spa.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.Header("access-control-allow-origin"), "*");
  EXPECT_NE(pre.Header("access-control-allow-methods").value_or("").find("POST"),
            std::string::npos);
  EXPECT_FALSE(pre.Header("access-control-allow-credentials"));
  auto r =
      PostForm(port(), "/oauth/token", {{"grant_type", "x"}}, {{"Origin", "https://spa.example"}});
  EXPECT_EQ(r.Header("access-control-allow-origin"), "*");
}

// Many client_credentials requests at once share commits (the token writer), yet each gets
// its own token, family and audit event, and none is answered before it is stored.
TEST_F(OAuthTokenE2E, ConcurrentClientCredentialsShareCommitsButNothingElse) {
  auto metric = [](const std::string& name) {
    auto r = Fetch(port(), "GET", "/metrics");
    size_t at = r.body.find("\n" + name + " ");
    return at == std::string::npos ? 0.0 : std::stod(r.body.substr(at + name.size() + 2));
  };
  // From an address of its own: other tests' failed authentications sent 127.0.0.1 to the
  // database path for a minute (T46).
  auto issue = [] {
    return PostForm(port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                    {{"Authorization", BasicAuth(introspector_->id, introspector_->secret)}},
                    "127.0.0.91");
  };
  // The first request authenticates the client on a worker; now it is cached.
  ASSERT_EQ(issue().status, 200);
  std::string families_before = db_->Scalar(
      "SELECT count(*) FROM token_families WHERE client_id = '" + introspector_->id + "'");
  double commits_before = metric("oakgate_token_batch_size_count");

  // Hold inserts into token_families: the first batch waits inside PostgreSQL, and what
  // follows queues behind it.
  pqxx::connection conn(db_->url());
  pqxx::work holding(conn);
  holding.exec0("LOCK TABLE token_families IN SHARE MODE");
  constexpr int kRequests = 24;
  std::vector<std::future<HttpResponse>> answers;
  answers.push_back(std::async(std::launch::async, issue));
  ASSERT_TRUE(db_->WaitsForLock("WITH r AS MATERIALIZED")) << "the first batch waits for the lock";
  for (int i = 1; i < kRequests; ++i) answers.push_back(std::async(std::launch::async, issue));
  // Until every request is in flight (and /metrics itself): none is answered meanwhile.
  bool all_in = false;
  for (int i = 0; i < 500 && !all_in; ++i) {
    all_in = metric("oakgate_http_in_flight_requests") >= kRequests + 1;
    if (!all_in) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(all_in);
  for (auto& a : answers) {
    EXPECT_EQ(a.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout)
        << "answered before its token was stored";
  }
  holding.commit();

  std::set<std::string> tokens;
  for (auto& a : answers) {
    HttpResponse r = a.get();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("cache-control"), "no-store");
    json body = json::parse(r.body);
    EXPECT_EQ(body["token_type"], "Bearer");
    EXPECT_GT(body["expires_in"].get<int>(), 0);
    tokens.insert(body["access_token"].get<std::string>());
  }
  EXPECT_EQ(tokens.size(), static_cast<size_t>(kRequests)) << "every token is its own";
  for (const auto& t : tokens) EXPECT_TRUE(Active(t));
  double commits = metric("oakgate_token_batch_size_count") - commits_before;
  EXPECT_GE(commits, 2);
  EXPECT_LT(commits, kRequests) << "some commit carried more than one token";
  // One family per token, each with its own audit event naming it.
  std::string client = "'" + introspector_->id + "'";
  EXPECT_EQ(
      std::stoi(db_->Scalar("SELECT count(*) FROM token_families WHERE client_id = " + client)) -
          std::stoi(families_before),
      kRequests);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM token_families f WHERE client_id = " + client +
                        " AND (SELECT count(*) FROM access_tokens t WHERE t.family_id = f.id) <> 1"
                        " OR (SELECT count(*) FROM audit_events e WHERE e.type = "
                        "'oauth.token_issued' AND e.subject = 'family:' || f.id) <> 1"),
            "0");
}

}  // namespace
}  // namespace oakgate::test
