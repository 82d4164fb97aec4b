// The legacy JWT bridge (CONTRACT §12): POST /legacy/introspect and POST /legacy/exchange on
// the real binary, with tokens made by OpenSSL in the test (tests/support/jwt_forge), never
// by the code under test.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/jwt_forge.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;
using testing::ForgeJwt;
using testing::ForgeKey;
using testing::HmacSha256ForTest;

constexpr const char* kHmacSecret = "legacy-hs256-secret-0123456789abcdefghij";
constexpr const char* kIssuer = "https://legacy.example";
constexpr const char* kAudience = "oakgate-bridge";
constexpr const char* kSunset = "Wed, 30 Jun 2027 23:59:59 GMT";

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string WriteFile(const std::string& name, const std::string& text) {
  std::string path =
      ::testing::TempDir() + "/oakgate-legacy-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path) << text;
  chmod(path.c_str(), 0600);
  return path;
}

class LegacyJwtE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    rsa_ = new ForgeKey(ForgeKey::Rsa());
    ec_ = new ForgeKey(ForgeKey::EcP256());
    rsa_pem_ = new std::string(WriteFile("rsa.pem", rsa_->PublicPem()));
    ec_pem_ = new std::string(WriteFile("ec.pem", ec_->PublicPem()));
    gw_ = new GatewayProcess(db_->url(), {{"OAKGATE_LEGACY_JWT_HS256_SECRET", kHmacSecret},
                                          {"OAKGATE_LEGACY_JWT_PUBLIC_KEY_FILE", *rsa_pem_},
                                          {"OAKGATE_LEGACY_JWT_ISSUER", kIssuer},
                                          {"OAKGATE_LEGACY_JWT_AUDIENCE", kAudience},
                                          {"OAKGATE_LEGACY_EXCHANGE_CLIENT", "migrated"},
                                          {"OAKGATE_LEGACY_SUNSET", kSunset}});
    // The ES256 gateway shares the database: one public key file per gateway.
    es_gw_ = new GatewayProcess(db_->url(), {{"OAKGATE_LEGACY_JWT_PUBLIC_KEY_FILE", *ec_pem_},
                                             {"OAKGATE_LEGACY_EXCHANGE_CLIENT", "migrated"}});
    CreateUser(*gw_, "alice@example.com", "correct horse battery staple");
    CreateUser(*gw_, "mallory@example.com", "correct horse battery staple");
    auto r = RunOakgate({"user", "disable", "--email", "mallory@example.com"}, gw_->env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    rs_ = new TestClient(CreateClient(
        *gw_, "rs", "", {"--confidential", "--introspect", "--grant-types", "client_credentials"}));
    CreateClient(*gw_, "migrated", "https://migrated.example/cb",
                 {"--scopes", "read write", "--grant-types", "authorization_code refresh_token"});
    alice_id_ = new std::string(
        db_->Scalar("SELECT id::text FROM users WHERE email_normalized = 'alice@example.com'"));
  }
  static void TearDownTestSuite() {
    delete es_gw_;
    delete gw_;
    unlink(rsa_pem_->c_str());
    unlink(ec_pem_->c_str());
    delete rsa_pem_;
    delete ec_pem_;
    delete rsa_;
    delete ec_;
    delete rs_;
    delete alice_id_;
    delete db_;
  }

  static json Claims(const std::string& email = "alice@example.com") {
    static int n = 0;
    return {{"iss", kIssuer},
            {"aud", kAudience},
            {"email", email},
            {"iat", Now() - 10},
            {"exp", Now() + 600},
            {"sub", "legacy-42"},
            {"jti", "jti-" + std::to_string(getpid()) + "-" + std::to_string(++n)}};
  }
  static std::string Hs256(const json& claims, const std::string& key = kHmacSecret) {
    return ForgeJwt({{"alg", "HS256"}, {"typ", "JWT"}}, claims,
                    [&key](std::string_view in) { return HmacSha256ForTest(key, in); });
  }
  static std::string Rs256(const json& claims) {
    return ForgeJwt({{"alg", "RS256"}, {"typ", "JWT"}}, claims,
                    [](std::string_view in) { return rsa_->Sign(in); });
  }
  static std::string Es256(const json& claims) {
    return ForgeJwt({{"alg", "ES256"}}, claims, [](std::string_view in) { return ec_->Sign(in); });
  }

  static HttpResponse IntrospectAt(const GatewayProcess& gw, const std::string& token) {
    return PostForm(gw.port(), "/legacy/introspect",
                    {{"token", token}, {"client_id", rs_->id}, {"client_secret", rs_->secret}});
  }
  static json Introspect(const std::string& token, const GatewayProcess* gw = nullptr) {
    auto r = IntrospectAt(gw ? *gw : *gw_, token);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("deprecation"), "true");
    return json::parse(r.body);
  }
  static HttpResponse Exchange(const std::string& token, const GatewayProcess* gw = nullptr,
                               const std::string& scope = "") {
    Fields f = {{"token", token}};
    if (!scope.empty()) f.emplace_back("scope", scope);
    return PostForm((gw ? *gw : *gw_).port(), "/legacy/exchange", f);
  }
  static void ExpectInvalidGrant(const HttpResponse& r) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(json::parse(r.body).value("error", ""), "invalid_grant") << r.body;
    EXPECT_EQ(r.Header("deprecation"), "true");
  }
  // Introspects inactive and does not exchange.
  static void ExpectRefused(const std::string& token, const GatewayProcess* gw = nullptr) {
    EXPECT_EQ(Introspect(token, gw), json({{"active", false}}));
    ExpectInvalidGrant(Exchange(token, gw));
  }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static GatewayProcess* es_gw_;
  static ForgeKey* rsa_;
  static ForgeKey* ec_;
  static std::string* rsa_pem_;
  static std::string* ec_pem_;
  static TestClient* rs_;
  static std::string* alice_id_;
};

TestDatabase* LegacyJwtE2E::db_ = nullptr;
GatewayProcess* LegacyJwtE2E::gw_ = nullptr;
GatewayProcess* LegacyJwtE2E::es_gw_ = nullptr;
ForgeKey* LegacyJwtE2E::rsa_ = nullptr;
ForgeKey* LegacyJwtE2E::ec_ = nullptr;
std::string* LegacyJwtE2E::rsa_pem_ = nullptr;
std::string* LegacyJwtE2E::ec_pem_ = nullptr;
TestClient* LegacyJwtE2E::rs_ = nullptr;
std::string* LegacyJwtE2E::alice_id_ = nullptr;

TEST_F(LegacyJwtE2E, ValidTokensOfEachAlgorithmIntrospectActiveWithTheOakgateUser) {
  struct Case {
    const char* alg;
    std::string token;
    const GatewayProcess* gw;
  };
  json claims = Claims();
  std::vector<Case> cases = {{"HS256", Hs256(claims), gw_},
                             {"RS256", Rs256(claims), gw_},
                             {"ES256", Es256(claims), es_gw_}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.alg);
    json body = Introspect(c.token, c.gw);
    EXPECT_EQ(body.value("active", false), true) << body;
    EXPECT_EQ(body.value("token_type", ""), "legacy_jwt");
    EXPECT_EQ(body.value("sub", ""), *alice_id_);
    EXPECT_EQ(body.value("email", ""), "alice@example.com");
    EXPECT_EQ(body.value("exp", int64_t{0}), claims["exp"].get<int64_t>());
    EXPECT_EQ(body.value("iat", int64_t{0}), claims["iat"].get<int64_t>());
    EXPECT_EQ(body.value("iss", ""), kIssuer);
  }
}

TEST_F(LegacyJwtE2E, ValidTokensOfEachAlgorithmExchangeOnceForOakgateTokens) {
  struct Case {
    const char* alg;
    std::string token;
    const GatewayProcess* gw;
  };
  std::vector<Case> cases = {{"HS256", Hs256(Claims()), gw_},
                             {"RS256", Rs256(Claims()), gw_},
                             {"ES256", Es256(Claims()), es_gw_}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.alg);
    auto r = Exchange(c.token, c.gw);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("cache-control"), "no-store");
    json body = json::parse(r.body);
    EXPECT_EQ(body.value("issued_token_type", ""), "urn:ietf:params:oauth:token-type:access_token");
    EXPECT_EQ(body.value("token_type", ""), "Bearer");
    EXPECT_EQ(body.value("scope", ""), "read write");
    EXPECT_GT(body.value("expires_in", 0), 0);
    EXPECT_FALSE(body.value("refresh_token", "").empty());
    // The access token is an ordinary oakgate token of the user and the exchange client.
    auto i = IntrospectToken(gw_->port(), *rs_, body.value("access_token", ""));
    json info = json::parse(i.body);
    EXPECT_EQ(info.value("active", false), true) << i.body;
    EXPECT_EQ(info.value("client_id", ""), "migrated");
    EXPECT_EQ(info.value("sub", ""), *alice_id_);
    // Once only: the same JWT again is a replay.
    ExpectInvalidGrant(Exchange(c.token, c.gw));
  }
}

TEST_F(LegacyJwtE2E, ExchangeNarrowsTheScopeButNeverWidensIt) {
  auto r = Exchange(Hs256(Claims()), gw_, "read");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).value("scope", ""), "read");
  auto wide = Exchange(Hs256(Claims()), gw_, "read admin");
  EXPECT_EQ(wide.status, 400);
  EXPECT_EQ(json::parse(wide.body).value("error", ""), "invalid_scope");
}

TEST_F(LegacyJwtE2E, AReplayIsRefusedByJtiEvenWhenTheTokenDiffers) {
  json claims = Claims();
  ASSERT_EQ(Exchange(Hs256(claims)).status, 200);
  // The same jti signed again (another token, another algorithm): still a replay.
  ExpectInvalidGrant(Exchange(Rs256(claims)));
}

TEST_F(LegacyJwtE2E, AReplayWithoutJtiIsRefusedByTheTokensHash) {
  json claims = Claims();
  claims.erase("jti");
  std::string token = Hs256(claims);
  ASSERT_EQ(Exchange(token).status, 200);
  ExpectInvalidGrant(Exchange(token));
  // A different token of the same claims is another token.
  claims["iat"] = claims["iat"].get<int64_t>() - 1;
  EXPECT_EQ(Exchange(Hs256(claims)).status, 200);
}

TEST_F(LegacyJwtE2E, ConcurrentExchangesOfOneTokenIssueExactlyOnce) {
  std::string token = Hs256(Claims());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, refused{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = Exchange(token);
      if (r.status == 200) ++ok;
      if (r.status == 400) ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 7);
}

TEST_F(LegacyJwtE2E, EachExchangeIsAnAuditEventWithoutTheToken) {
  json claims = Claims();
  std::string token = Hs256(claims);
  ASSERT_EQ(Exchange(token).status, 200);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM audit_events WHERE type = 'legacy.jwt_exchanged'"
                        " AND user_id = '" +
                        *alice_id_ +
                        "' AND client_id = 'migrated'"
                        " AND details->>'replay_key' = 'jti'"
                        " AND created_at > now() - interval '1 minute'") != "0",
            true);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM audit_events WHERE details::text LIKE '%" +
                        token.substr(0, 40) + "%'"),
            "0");
}

TEST_F(LegacyJwtE2E, TheReplayRecordIsDurableWithItsExpirySoPruneCanDropIt) {
  json claims = Claims();
  claims["exp"] = Now() - 30;  // expired but within the 60 s leeway: still accepted
  ASSERT_EQ(Exchange(Hs256(claims)).status, 200);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM legacy_jwt_uses WHERE replay_key = sha256('jti:" +
                        claims["jti"].get<std::string>() + "') AND expires_at = to_timestamp(" +
                        std::to_string(claims["exp"].get<int64_t>() + 60) + ")"),
            "1");
  // Past its expiry the record goes with the next prune.
  db_->Scalar(
      "UPDATE legacy_jwt_uses SET expires_at = now() - interval '1 second'"
      " WHERE replay_key = sha256('jti:" +
      claims["jti"].get<std::string>() + "')");
  auto r = RunOakgate({"prune"}, gw_->env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM legacy_jwt_uses WHERE replay_key = sha256('jti:" +
                        claims["jti"].get<std::string>() + "')"),
            "0");
}

TEST_F(LegacyJwtE2E, AlgNoneIsRefused) {
  std::string input = testing::Base64UrlForTest(R"({"alg":"none","typ":"JWT"})") + "." +
                      testing::Base64UrlForTest(Claims().dump());
  ExpectRefused(input + ".");
  ExpectRefused(input + "." + testing::Base64UrlForTest("x"));
  // Case games and a missing alg too.
  ExpectRefused(ForgeJwt({{"alg", "None"}}, Claims(), [](std::string_view) { return "x"; }));
  ExpectRefused(ForgeJwt({{"typ", "JWT"}}, Claims(),
                         [](std::string_view in) { return HmacSha256ForTest(kHmacSecret, in); }));
}

TEST_F(LegacyJwtE2E, Hs256KeyedByTheRsaPublicKeyIsRefused) {
  // The classic confusion: the public key's PEM text as the HMAC secret.
  std::string pem = rsa_->PublicPem();
  ExpectRefused(Hs256(Claims(), pem));
  // On the ES256-only gateway, HS256 is not configured at all.
  ExpectRefused(Hs256(Claims(), ec_->PublicPem()), es_gw_);
  ExpectRefused(Hs256(Claims()), es_gw_);
  // RS256 on the ES256 gateway and ES256 on the RS256 one: not their key's algorithm.
  ExpectRefused(Rs256(Claims()), es_gw_);
  ExpectRefused(Es256(Claims()), gw_);
}

TEST_F(LegacyJwtE2E, HeadersNamingAKeyOrKeyLocationAreRefused) {
  for (const char* name : {"jku", "x5u", "jwk", "x5c", "crit"}) {
    SCOPED_TRACE(name);
    ExpectRefused(ForgeJwt({{"alg", "RS256"}, {name, "https://attacker.example/keys"}}, Claims(),
                           [](std::string_view in) { return rsa_->Sign(in); }));
  }
  // A kid is ignored, never fetched or used to choose a key: the configured key still decides.
  std::string with_kid = ForgeJwt({{"alg", "RS256"}, {"kid", "https://attacker.example/k"}},
                                  Claims(), [](std::string_view in) { return rsa_->Sign(in); });
  EXPECT_EQ(Introspect(with_kid).value("active", false), true);
}

TEST_F(LegacyJwtE2E, ExpiredTokensAreRefusedBeyondTheLeeway) {
  json claims = Claims();
  claims["exp"] = Now() - 120;
  ExpectRefused(Hs256(claims));
  claims["exp"] = Now() - 30;  // within 60 s
  EXPECT_EQ(Introspect(Hs256(claims)).value("active", false), true);
  claims.erase("exp");
  ExpectRefused(Hs256(claims));
  claims["exp"] = "tomorrow";
  ExpectRefused(Hs256(claims));
}

TEST_F(LegacyJwtE2E, NotYetValidTokensAreRefusedBeyondTheLeeway) {
  json claims = Claims();
  claims["nbf"] = Now() + 300;
  ExpectRefused(Hs256(claims));
  claims["nbf"] = Now() + 30;
  EXPECT_EQ(Introspect(Hs256(claims)).value("active", false), true);
  claims.erase("nbf");
  claims["iat"] = Now() + 300;
  ExpectRefused(Hs256(claims));
}

TEST_F(LegacyJwtE2E, AWrongIssuerOrAudienceIsRefused) {
  json claims = Claims();
  claims["iss"] = "https://other.example";
  ExpectRefused(Hs256(claims));
  claims.erase("iss");
  ExpectRefused(Hs256(claims));
  claims = Claims();
  claims["aud"] = "someone-else";
  ExpectRefused(Hs256(claims));
  claims["aud"] = json::array({"someone-else", kAudience});
  EXPECT_EQ(Introspect(Hs256(claims)).value("active", false), true);
  claims.erase("aud");
  ExpectRefused(Hs256(claims));
}

TEST_F(LegacyJwtE2E, UnknownOrDisabledUsersAreInactive) {
  ExpectRefused(Hs256(Claims("nobody@example.com")));
  ExpectRefused(Hs256(Claims("mallory@example.com")));
  json claims = Claims();
  claims.erase("email");
  ExpectRefused(Hs256(claims));
}

TEST_F(LegacyJwtE2E, ATamperedSignatureOrPayloadIsRefused) {
  std::string token = Rs256(Claims());
  std::string flipped = token;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  ExpectRefused(flipped);
  json other = Claims("mallory@example.com");
  size_t dot = token.find('.');
  size_t dot2 = token.find('.', dot + 1);
  std::string swapped =
      token.substr(0, dot + 1) + testing::Base64UrlForTest(other.dump()) + token.substr(dot2);
  ExpectRefused(swapped);
}

TEST_F(LegacyJwtE2E, OversizedOrMalformedTokensAreRefusedWithoutHarm) {
  // Oversized: refused before any parsing, as every OAuth parameter over 4 KiB is.
  json big = Claims();
  big["padding"] = std::string(9000, 'a');
  for (const char* path : {"/legacy/introspect", "/legacy/exchange"}) {
    auto r =
        PostForm(gw_->port(), path,
                 {{"token", Hs256(big)}, {"client_id", rs_->id}, {"client_secret", rs_->secret}});
    EXPECT_EQ(r.status, 400) << path << r.body;
    EXPECT_EQ(json::parse(r.body).value("error", ""), "invalid_request") << path;
    EXPECT_EQ(r.Header("deprecation"), "true");
  }
  std::vector<std::string> bad = {
      "not-a-jwt",
      "a.b",
      "a.b.c.d",
      "..",
      "e30.e30.",
      testing::Base64UrlForTest("[1,2]") + "." + testing::Base64UrlForTest("{}") + ".AAAA",
      testing::Base64UrlForTest(R"({"alg":"HS256"})") + ".%%%." + "AAAA",
      testing::Base64UrlForTest(R"({"alg":"HS256"})") + "=." + testing::Base64UrlForTest("{}") +
          ".AAAA",
      // A member given twice: which "alg" would a lenient parser pick?
      testing::Base64UrlForTest(R"({"alg":"none","alg":"HS256"})") + "." +
          testing::Base64UrlForTest(Claims().dump()) + ".AAAA",
      std::string(4000, '.'),
  };
  for (const auto& token : bad) {
    SCOPED_TRACE(token.substr(0, 60));
    ExpectRefused(token);
  }
  // The duplicate-member token signed properly is refused as well.
  std::string dup_input = testing::Base64UrlForTest(R"({"alg":"HS256","alg":"HS256"})") + "." +
                          testing::Base64UrlForTest(Claims().dump());
  ExpectRefused(dup_input + "." +
                testing::Base64UrlForTest(HmacSha256ForTest(kHmacSecret, dup_input)));
  EXPECT_EQ(gw_->port() > 0 && Fetch(gw_->port(), "GET", "/healthz").status == 200, true);
}

TEST_F(LegacyJwtE2E, IntrospectionNeedsAConfidentialClientAllowedToIntrospect) {
  std::string token = Hs256(Claims());
  auto none = PostForm(gw_->port(), "/legacy/introspect", {{"token", token}});
  EXPECT_EQ(none.status, 401) << none.body;
  auto wrong = PostForm(gw_->port(), "/legacy/introspect",
                        {{"token", token}, {"client_id", rs_->id}, {"client_secret", "wrong"}});
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_EQ(wrong.Header("deprecation"), "true");
}

TEST_F(LegacyJwtE2E, BothEndpointsCarryDeprecationAndSunset) {
  auto i = IntrospectAt(*gw_, Hs256(Claims()));
  EXPECT_EQ(i.Header("deprecation"), "true");
  EXPECT_EQ(i.Header("sunset"), kSunset);
  auto e = Exchange(Hs256(Claims()));
  EXPECT_EQ(e.Header("deprecation"), "true");
  EXPECT_EQ(e.Header("sunset"), kSunset);
  // No sunset configured on the ES256 gateway: Deprecation only.
  auto es = IntrospectAt(*es_gw_, Es256(Claims()));
  EXPECT_EQ(es.Header("deprecation"), "true");
  EXPECT_FALSE(es.Header("sunset").has_value());
}

TEST_F(LegacyJwtE2E, MetricsCountCallsByEndpointAndResult) {
  Introspect(Hs256(Claims()));
  Introspect(Hs256(Claims("nobody@example.com")));
  std::string token = Hs256(Claims());
  Exchange(token);
  Exchange(token);
  std::string m = Fetch(gw_->port(), "GET", "/metrics").body;
  for (const char* series :
       {R"(oakgate_legacy_jwt_requests_total{endpoint="introspect",result="active"})",
        R"(oakgate_legacy_jwt_requests_total{endpoint="introspect",result="inactive"})",
        R"(oakgate_legacy_jwt_requests_total{endpoint="exchange",result="issued"})",
        R"(oakgate_legacy_jwt_requests_total{endpoint="exchange",result="replayed"})"}) {
    EXPECT_NE(m.find(series), std::string::npos) << series;
  }
}

TEST_F(LegacyJwtE2E, TheBridgeIsOffUnlessConfigured) {
  TestDatabase db;
  GatewayProcess plain(db.url());
  EXPECT_EQ(PostForm(plain.port(), "/legacy/introspect", {{"token", "x"}}).status, 404);
  EXPECT_EQ(PostForm(plain.port(), "/legacy/exchange", {{"token", "x"}}).status, 404);
}

TEST_F(LegacyJwtE2E, BadBridgeSettingsStopServeWithExitTwoNamingTheKey) {
  std::string weak_rsa = WriteFile("weak.pem", ForgeKey::Rsa(1024).PublicPem());
  std::string garbage = WriteFile("garbage.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n");
  struct Case {
    std::map<std::string, std::string> env;
    const char* key;
  };
  std::vector<Case> cases = {
      {{{"OAKGATE_LEGACY_JWT_HS256_SECRET", "short"}}, "legacy_jwt_hs256_secret"},
      {{{"OAKGATE_LEGACY_JWT_PUBLIC_KEY_FILE", "/nonexistent/key.pem"}},
       "legacy_jwt_public_key_file"},
      {{{"OAKGATE_LEGACY_JWT_PUBLIC_KEY_FILE", weak_rsa}}, "legacy_jwt_public_key_file"},
      {{{"OAKGATE_LEGACY_JWT_PUBLIC_KEY_FILE", garbage}}, "legacy_jwt_public_key_file"},
      {{{"OAKGATE_LEGACY_EXCHANGE_CLIENT", "migrated"}}, "legacy_exchange_client"},
      {{{"OAKGATE_LEGACY_JWT_HS256_SECRET", kHmacSecret}, {"OAKGATE_LEGACY_SUNSET", "2027-06-30"}},
       "legacy_sunset"},
      {{{"OAKGATE_LEGACY_JWT_HS256_SECRET", kHmacSecret}, {"OAKGATE_LEGACY_JWT_USER_CLAIM", ""}},
       "legacy_jwt_user_claim"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    auto env = c.env;
    env["OAKGATE_DATABASE_URL"] = db_->url();
    env["OAKGATE_SECRET"] = "test-secret-0123456789abcdefghijklmnopqrstuvwxyz";
    env["OAKGATE_LISTEN"] = "127.0.0.1:" + std::to_string(FreePort());
    auto r = RunOakgate({"serve"}, env);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(c.key), std::string::npos) << r.err;
  }
  unlink(weak_rsa.c_str());
  unlink(garbage.c_str());
}

}  // namespace
}  // namespace oakgate::test
