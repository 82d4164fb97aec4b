// Resource indicators (RFC 8707) against the real binary and PostgreSQL: resources from the
// CLI, `resource` at authorize and token, audience-bound tokens that only their resource's
// introspectors see as active (RFC 7662 §2.2), refresh narrowing, invalid_target.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/eventually.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";
const std::string kA = "https://a.example/mcp";
const std::string kB = "https://b.example/mcp";
const std::string kC = "https://c.example/mcp";
using nlohmann::json;

CommandResult Oakgate(const GatewayProcess& gw, const std::vector<std::string>& args) {
  return RunOakgate(args, gw.env());
}

class ResourcesE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    CreateUser(*gw_, "alice@example.com", kPassword);
    auto rs = [](const std::string& id) {
      return new TestClient(CreateClient(
          *gw_, id, "", {"--confidential", "--introspect", "--grant-types", "client_credentials"}));
    };
    rs_a_ = rs("rs-a");
    rs_b_ = rs("rs-b");
    rs_ac_ = rs("rs-ac");
    generic_ = rs("generic-introspector");
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"resource", "create", "--uri", kA, "--name", "Tools A", "--scopes", "read write",
              "--introspector", "rs-a", "--introspector", "rs-ac"},
             {"resource", "create", "--uri", kB, "--name", "Tools B", "--scopes", "read",
              "--introspector", "rs-b"},
             {"resource", "create", "--uri", kC, "--name", "Tools C", "--scopes", "read",
              "--introspector", "rs-ac"}}) {
      auto r = Oakgate(*gw_, args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    app_ = new TestClient(CreateClient(*gw_, "app", "https://app.example/cb",
                                       {"--scopes", "read write keys", "--first-party"}));
    strict_ =
        new TestClient(CreateClient(*gw_, "strict", "https://strict.example/cb",
                                    {"--scopes", "read", "--first-party", "--require-resource"}));
    session_ = new std::string(LoginSession(gw_->port(), "alice@example.com", kPassword));
  }
  static void TearDownTestSuite() {
    for (auto* c : {rs_a_, rs_b_, rs_ac_, generic_, app_, strict_}) delete c;
    delete session_;
    delete gw_;
    delete db_;
  }
  static int port() { return gw_->port(); }

  static Fields Authorize(const TestClient& client, const Pkce& pkce,
                          const std::vector<std::string>& resources, const std::string& scope) {
    Fields f = {{"response_type", "code"},
                {"client_id", client.id},
                {"redirect_uri", client.redirect_uri},
                {"state", "st-1"},
                {"code_challenge", pkce.challenge},
                {"code_challenge_method", "S256"}};
    if (!scope.empty()) f.emplace_back("scope", scope);
    for (const auto& r : resources) f.emplace_back("resource", r);
    return f;
  }
  // The code of a successful authorization with these resources.
  static std::string Code(const TestClient& client, const Pkce& pkce,
                          const std::vector<std::string>& resources, const std::string& scope) {
    auto r = GetAuthorize(port(), Authorize(client, pkce, resources, scope), *session_);
    EXPECT_EQ(r.status, 302) << r.body;
    auto q = QueryOf(r.Header("location").value_or(""));
    EXPECT_TRUE(q.count("code")) << r.Header("location").value_or("");
    return q["code"];
  }
  // Authorizes, redeems (with `token_resources` at the token endpoint) and returns the JSON.
  static json Tokens(const std::vector<std::string>& resources, const std::string& scope = "read") {
    Pkce pkce = NewPkce();
    std::string code = Code(*app_, pkce, resources, scope);
    auto t = RedeemCode(port(), *app_, code, pkce.verifier);
    EXPECT_EQ(t.status, 200) << t.body;
    return json::parse(t.body, nullptr, false);
  }
  static json Introspect(const TestClient& rs, const std::string& token) {
    auto r = IntrospectToken(port(), rs, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }
  // A change made outside this gateway (the CLI, psql) reaches its caches through the
  // listener, within a second (issue 7): polled for 5 s, a generous margin.
  static bool BecomesInactive(const TestClient& rs, const std::string& token) {
    return Eventually([&] { return Introspect(rs, token)["active"] == false; });
  }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static TestClient *rs_a_, *rs_b_, *rs_ac_, *generic_, *app_, *strict_;
  static std::string* session_;
};

TestDatabase* ResourcesE2E::db_ = nullptr;
GatewayProcess* ResourcesE2E::gw_ = nullptr;
TestClient* ResourcesE2E::rs_a_ = nullptr;
TestClient* ResourcesE2E::rs_b_ = nullptr;
TestClient* ResourcesE2E::rs_ac_ = nullptr;
TestClient* ResourcesE2E::generic_ = nullptr;
TestClient* ResourcesE2E::app_ = nullptr;
TestClient* ResourcesE2E::strict_ = nullptr;
std::string* ResourcesE2E::session_ = nullptr;

TEST_F(ResourcesE2E, TokenForOneResourceIsActiveOnlyToItsIntrospectors) {
  json t = Tokens({kA});
  std::string access = t["access_token"];
  json a = Introspect(*rs_a_, access);
  EXPECT_EQ(a["active"], true);
  EXPECT_EQ(a["aud"], kA);  // a string for one audience
  EXPECT_EQ(a["scope"], "read");
  EXPECT_EQ(a["client_id"], "app");
  // Resource B's server, and a client allowed to introspect but no resource's, see nothing.
  EXPECT_EQ(Introspect(*rs_b_, access), json({{"active", false}}));
  EXPECT_EQ(Introspect(*generic_, access), json({{"active", false}}));
}

TEST_F(ResourcesE2E, SeveralResourcesGiveAnArrayAudience) {
  json t = Tokens({kA, kB});
  json a = Introspect(*rs_a_, t["access_token"]);
  EXPECT_EQ(a["active"], true);
  EXPECT_EQ(a["aud"], json::array({kA, kB}));
  EXPECT_EQ(Introspect(*rs_b_, t["access_token"])["active"], true);
}

TEST_F(ResourcesE2E, AnIntrospectorOfTwoResourcesSeesAudWithoutTheOther) {
  // rs-ac introspects for A and C: a token meant for A is active to it, and its aud says A
  // only, so C's server (checking aud) refuses it.
  json i = Introspect(*rs_ac_, Tokens({kA})["access_token"]);
  EXPECT_EQ(i["active"], true);
  EXPECT_EQ(i["aud"], kA);
}

TEST_F(ResourcesE2E, TokenWithoutAudienceIsActiveToAnyIntrospector) {
  json t = Tokens({}, "read");
  json i = Introspect(*generic_, t["access_token"]);
  EXPECT_EQ(i["active"], true);
  EXPECT_FALSE(i.contains("aud"));
  EXPECT_EQ(Introspect(*rs_b_, t["access_token"])["active"], true);
}

TEST_F(ResourcesE2E, ResourceMatchesAfterLowerCasingSchemeAndHost) {
  json t = Tokens({"HTTPS://A.Example/mcp"});
  EXPECT_EQ(Introspect(*rs_a_, t["access_token"])["aud"], kA);
}

TEST_F(ResourcesE2E, MalformedOrUnknownResourceAtAuthorizeIsInvalidTarget) {
  std::string before = db_->Scalar("SELECT count(*) FROM authorization_codes");
  for (const std::string bad :
       {"/mcp", "mcp", "https://a.example/mcp#frag", "https://unknown.example/mcp",
        "http://a.example/mcp", "https://a.example/mcp/", "", "https://*.example/mcp"}) {
    Pkce pkce = NewPkce();
    auto r = GetAuthorize(port(), Authorize(*app_, pkce, {kA, bad}, "read"), *session_);
    ASSERT_EQ(r.status, 302) << bad << " " << r.body;
    auto q = QueryOf(r.Header("location").value_or(""));
    EXPECT_EQ(q["error"], "invalid_target") << bad;
    EXPECT_EQ(q["state"], "st-1");
    EXPECT_FALSE(q["iss"].empty());
    EXPECT_EQ(q.count("code"), 0u);
  }
  std::vector<std::string> eleven(11, kA);
  auto r = GetAuthorize(port(), Authorize(*app_, NewPkce(), eleven, "read"), *session_);
  EXPECT_EQ(QueryOf(r.Header("location").value_or(""))["error"], "invalid_target");
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM authorization_codes"), before);
}

TEST_F(ResourcesE2E, ClientThatRequiresAResourceGetsInvalidTargetWithout) {
  Pkce pkce = NewPkce();
  auto r = GetAuthorize(port(), Authorize(*strict_, pkce, {}, "read"), *session_);
  ASSERT_EQ(r.status, 302);
  EXPECT_EQ(QueryOf(r.Header("location").value_or(""))["error"], "invalid_target");
  std::string code = Code(*strict_, pkce, {kB}, "read");
  EXPECT_EQ(RedeemCode(port(), *strict_, code, pkce.verifier).status, 200);
}

TEST_F(ResourcesE2E, ScopesAreCheckedAgainstTheClientAndTheResource) {
  // The client may have `keys`, resource B offers only `read`.
  auto r = GetAuthorize(port(), Authorize(*app_, NewPkce(), {kB}, "read keys"), *session_);
  EXPECT_EQ(QueryOf(r.Header("location").value_or(""))["error"], "invalid_scope");
  // A offers `write`; B does not; together they do.
  json t = Tokens({kA, kB}, "read write");
  EXPECT_EQ(t["scope"], "read write");
  // An omitted scope is the client's scopes that the resources offer.
  EXPECT_EQ(Tokens({kB}, "")["scope"], "read");
}

TEST_F(ResourcesE2E, TokenEndpointResourceSelectsAmongThoseAuthorized) {
  Pkce pkce = NewPkce();
  std::string code = Code(*app_, pkce, {kA, kB}, "read write");
  Fields f = {{"grant_type", "authorization_code"},
              {"code", code},
              {"redirect_uri", app_->redirect_uri},
              {"code_verifier", pkce.verifier},
              {"client_id", app_->id}};
  for (const std::string& bad : {kC, std::string("relative/x"), kA + "#f"}) {
    Fields with = f;
    with.emplace_back("resource", bad);
    auto r = PostForm(port(), "/oauth/token", with);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(json::parse(r.body)["error"], "invalid_target") << bad;
  }
  // The failures redeemed nothing: the code still works, narrowed to B (and B's scopes).
  f.emplace_back("resource", kB);
  auto ok = PostForm(port(), "/oauth/token", f);
  ASSERT_EQ(ok.status, 200) << ok.body;
  json t = json::parse(ok.body);
  EXPECT_EQ(t["scope"], "read");
  EXPECT_EQ(Introspect(*rs_a_, t["access_token"])["active"], false);
  EXPECT_EQ(Introspect(*rs_b_, t["access_token"])["aud"], kB);
}

TEST_F(ResourcesE2E, JsonTokenRequestTakesAnArrayOfResources) {
  Pkce pkce = NewPkce();
  std::string code = Code(*app_, pkce, {kA, kB}, "read");
  json body = {{"grant_type", "authorization_code"},
               {"code", code},
               {"redirect_uri", app_->redirect_uri},
               {"code_verifier", pkce.verifier},
               {"client_id", app_->id},
               {"resource", json::array({kA, kB})}};
  auto r =
      Fetch(port(), "POST", "/oauth/token", {{"Content-Type", "application/json"}}, body.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Introspect(*rs_a_, json::parse(r.body)["access_token"])["aud"], json::array({kA, kB}));
}

TEST_F(ResourcesE2E, RefreshMayNarrowTheResourcesNeverWidenThem) {
  json t = Tokens({kA, kB}, "read write");
  // Narrow to B: the new access token is B's only, with B's scopes.
  Fields f = {{"grant_type", "refresh_token"},
              {"refresh_token", t["refresh_token"]},
              {"client_id", app_->id},
              {"resource", kB}};
  auto narrowed = PostForm(port(), "/oauth/token", f);
  ASSERT_EQ(narrowed.status, 200) << narrowed.body;
  json n = json::parse(narrowed.body);
  EXPECT_EQ(n["scope"], "read");
  EXPECT_EQ(Introspect(*rs_b_, n["access_token"])["aud"], kB);
  EXPECT_EQ(Introspect(*rs_a_, n["access_token"])["active"], false);
  // Widening to C is refused and rotates nothing: the refresh token still works.
  f = {{"grant_type", "refresh_token"},
       {"refresh_token", n["refresh_token"]},
       {"client_id", app_->id},
       {"resource", kC}};
  auto widened = PostForm(port(), "/oauth/token", f);
  EXPECT_EQ(widened.status, 400);
  EXPECT_EQ(json::parse(widened.body)["error"], "invalid_target");
  // A narrower scope than B offers... and asking B for `write`, which B does not offer.
  f = {{"grant_type", "refresh_token"},
       {"refresh_token", n["refresh_token"]},
       {"client_id", app_->id},
       {"resource", kB},
       {"scope", "write"}};
  auto bad_scope = PostForm(port(), "/oauth/token", f);
  EXPECT_EQ(json::parse(bad_scope.body)["error"], "invalid_scope");
  // The family keeps both resources: a refresh without `resource` is for A and B again.
  auto again = Refresh(port(), *app_, n["refresh_token"]);
  ASSERT_EQ(again.status, 200) << again.body;
  json g = json::parse(again.body);
  EXPECT_EQ(g["scope"], "read write");
  EXPECT_EQ(Introspect(*rs_a_, g["access_token"])["aud"], json::array({kA, kB}));
  // The refresh token itself, to its own client, names the family's resources.
}

TEST_F(ResourcesE2E, ClientCredentialsCanBeBoundToAResource) {
  Fields f = {{"grant_type", "client_credentials"}, {"resource", kB}, {"scope", "read"}};
  // rs-b may not be a client-credentials client for scope read: it has no scopes.
  auto r =
      PostForm(port(), "/oauth/token", f, {{"Authorization", BasicAuth(rs_b_->id, rs_b_->secret)}});
  EXPECT_EQ(json::parse(r.body)["error"], "invalid_scope") << r.body;
  f = {{"grant_type", "client_credentials"}, {"resource", "https://nowhere.example/"}};
  r = PostForm(port(), "/oauth/token", f, {{"Authorization", BasicAuth(rs_b_->id, rs_b_->secret)}});
  EXPECT_EQ(json::parse(r.body)["error"], "invalid_target") << r.body;
  f = {{"grant_type", "client_credentials"}, {"resource", kB}};
  r = PostForm(port(), "/oauth/token", f, {{"Authorization", BasicAuth(rs_b_->id, rs_b_->secret)}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Introspect(*rs_b_, json::parse(r.body)["access_token"])["aud"], kB);
}

TEST_F(ResourcesE2E, ConsentPageNamesTheResources) {
  TestClient partner =
      CreateClient(*gw_, "partner", "https://partner.example/cb", {"--scopes", "read"});
  Pkce pkce = NewPkce();
  auto page = GetAuthorize(port(), Authorize(partner, pkce, {kA, kB}, "read"), *session_);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Tools A"), std::string::npos);
  EXPECT_NE(page.body.find(kB), std::string::npos);
  EXPECT_EQ(page.body.find("registered-warning"), std::string::npos);  // an operator's client
  auto approved = SubmitConsent(port(), page.body, *session_, "approve");
  ASSERT_EQ(approved.status, 303);
  // Remembered for these resources; a new resource asks again.
  EXPECT_EQ(GetAuthorize(port(), Authorize(partner, NewPkce(), {kA}, "read"), *session_).status,
            302);
  EXPECT_EQ(GetAuthorize(port(), Authorize(partner, NewPkce(), {kC}, "read"), *session_).status,
            200);
}

TEST_F(ResourcesE2E, CliValidatesResourcesAndDeleteMakesTheirTokensInactive) {
  auto usage = [](const CommandResult& r) { return r.exit_code; };
  EXPECT_EQ(usage(Oakgate(*gw_, {"resource", "create", "--uri", "/relative", "--name", "x"})), 2);
  EXPECT_EQ(
      usage(Oakgate(*gw_, {"resource", "create", "--uri", "https://d.example/#f", "--name", "x"})),
      2);
  EXPECT_EQ(
      usage(Oakgate(*gw_, {"resource", "create", "--uri", "http://d.example/", "--name", "x"})), 2);
  EXPECT_EQ(usage(Oakgate(*gw_, {"resource", "create", "--uri", "https://d.example/", "--name", "x",
                                 "--scopes", "keys"})),
            2);
  EXPECT_EQ(usage(Oakgate(*gw_, {"resource", "create", "--uri", "https://d.example/", "--name", "x",
                                 "--introspector", "app"})),  // public: cannot introspect
            2);
  EXPECT_EQ(usage(Oakgate(*gw_, {"resource", "create", "--uri", "https://d.example/", "--name", "x",
                                 "--introspector", "nobody"})),
            2);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM resources WHERE uri LIKE '%d.example%'"), "0");
  auto made = Oakgate(*gw_, {"resource", "create", "--uri", "HTTPS://D.example/x", "--name", "D",
                             "--scopes", "read", "--introspector", "rs-b"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_EQ(json::parse(made.out)["uri"], "https://d.example/x");
  EXPECT_EQ(Oakgate(*gw_, {"resource", "create", "--uri", "https://d.example/x", "--name", "D"})
                .exit_code,
            1);
  auto list = Oakgate(*gw_, {"resource", "list"});
  ASSERT_EQ(list.exit_code, 0);
  bool found = false;
  for (const auto& r : json::parse(list.out)) {
    if (r["uri"] == "https://d.example/x") {
      found = true;
      EXPECT_EQ(r["introspectors"], json::array({"rs-b"}));
      EXPECT_EQ(r["scopes"], json::array({"read"}));
    }
  }
  EXPECT_TRUE(found) << list.out;
  json t = Tokens({"https://d.example/x"});
  EXPECT_EQ(Introspect(*rs_b_, t["access_token"])["active"], true);
  ASSERT_EQ(Oakgate(*gw_, {"resource", "delete", "--uri", "https://d.example/x"}).exit_code, 0);
  EXPECT_TRUE(BecomesInactive(*rs_b_, t["access_token"]));
  EXPECT_EQ(Oakgate(*gw_, {"resource", "delete", "--uri", "https://d.example/x"}).exit_code, 1);
}

// Blue/green: the colour without migration 0002's code inserts access tokens with 0001's
// columns only (a refresh it serves). The token still carries the family's audience.
TEST_F(ResourcesE2E, AccessTokenTheOtherColourInsertsKeepsTheFamilysAudience) {
  json t = Tokens({kB});
  std::string family =
      db_->Scalar("SELECT family_id FROM access_tokens WHERE token_hash = sha256('" +
                  t["access_token"].get<std::string>() + "'::bytea)");
  ASSERT_FALSE(family.empty());
  std::string old_colour_token = "oat_" + std::string(43, 'Q');
  db_->Scalar(
      "INSERT INTO access_tokens (token_hash, family_id, client_id, user_id, scopes,"
      " expires_at) SELECT sha256('" +
      old_colour_token +
      "'::bytea), f.id, f.client_id, f.user_id, f.scopes, now() + interval '1 hour'"
      " FROM token_families f WHERE f.id = " +
      family);
  EXPECT_EQ(Introspect(*rs_b_, old_colour_token)["aud"], kB);
  EXPECT_EQ(Introspect(*generic_, old_colour_token)["active"], false);
}

TEST_F(ResourcesE2E, MigrationIsEmbeddedAndReadyzCountsIt) {
  auto status = Oakgate(*gw_, {"migrate", "--status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("applied  0002_resources_registration.sql"), std::string::npos)
      << status.out;
  EXPECT_EQ(Fetch(port(), "GET", "/readyz").status, 200);
}

}  // namespace
}  // namespace oakgate::test
