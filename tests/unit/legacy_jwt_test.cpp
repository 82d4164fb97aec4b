// The legacy JWT parser and verifier (gateway/legacy/jwt), with tokens made by OpenSSL
// directly (tests/support/jwt_forge) and a fixed clock.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/legacy/jwt.hpp"
#include "tests/support/jwt_forge.hpp"

namespace oakgate::legacy {
namespace {

using nlohmann::json;
using testing::Base64UrlForTest;
using testing::ForgeJwt;
using testing::ForgeKey;
using testing::HmacSha256ForTest;

constexpr int64_t kNow = 1800000000;
constexpr const char* kSecret = "unit-hs256-secret-0123456789abcdefghijkl";

json Claims() {
  return {{"email", "a@example.com"}, {"exp", kNow + 300}, {"iat", kNow - 5}, {"jti", "j-1"}};
}

std::string Hs(const json& claims, const json& header = {{"alg", "HS256"}}) {
  return ForgeJwt(header, claims,
                  [](std::string_view in) { return HmacSha256ForTest(kSecret, in); });
}

JwtKeys HmacKeys() {
  JwtKeys k;
  k.SetHmacSecret(kSecret);
  return k;
}

TEST(LegacyJwt, AValidHs256TokenVerifiesWithItsClaims) {
  auto v = VerifyJwt(Hs(Claims()), HmacKeys(), {}, kNow);
  ASSERT_TRUE(v) << FailureName(v.error());
  EXPECT_EQ(v.value().user, "a@example.com");
  EXPECT_EQ(v.value().jti, "j-1");
  EXPECT_EQ(v.value().exp, kNow + 300);
  EXPECT_EQ(v.value().iat, kNow - 5);
}

TEST(LegacyJwt, EachPublicKeyAdmitsOnlyItsOwnAlgorithm) {
  ForgeKey rsa = ForgeKey::Rsa();
  ForgeKey ec = ForgeKey::EcP256();
  JwtKeys rsa_keys;
  ASSERT_FALSE(rsa_keys.SetPublicKeyPem(rsa.PublicPem()));
  JwtKeys ec_keys;
  ASSERT_FALSE(ec_keys.SetPublicKeyPem(ec.PublicPem()));
  std::string rs =
      ForgeJwt({{"alg", "RS256"}}, Claims(), [&](std::string_view in) { return rsa.Sign(in); });
  std::string es =
      ForgeJwt({{"alg", "ES256"}}, Claims(), [&](std::string_view in) { return ec.Sign(in); });
  EXPECT_TRUE(VerifyJwt(rs, rsa_keys, {}, kNow));
  EXPECT_TRUE(VerifyJwt(es, ec_keys, {}, kNow));
  EXPECT_EQ(VerifyJwt(rs, ec_keys, {}, kNow).error(), JwtFailure::kRefusedAlg);
  EXPECT_EQ(VerifyJwt(es, rsa_keys, {}, kNow).error(), JwtFailure::kRefusedAlg);
  // HMAC keyed by the public key's PEM: HS256 is not configured, so never tried.
  std::string confused = ForgeJwt({{"alg", "HS256"}}, Claims(), [&](std::string_view in) {
    return HmacSha256ForTest(rsa.PublicPem(), in);
  });
  EXPECT_EQ(VerifyJwt(confused, rsa_keys, {}, kNow).error(), JwtFailure::kRefusedAlg);
}

TEST(LegacyJwt, WeakOrUnsupportedPublicKeysAreRefused) {
  JwtKeys k;
  EXPECT_TRUE(k.SetPublicKeyPem(ForgeKey::Rsa(1024).PublicPem()));
  EXPECT_TRUE(k.SetPublicKeyPem("not a pem"));
  EXPECT_TRUE(k.Empty());
}

TEST(LegacyJwt, TheClaimsAreCheckedWithSixtySecondsOfLeeway) {
  struct Case {
    const char* name;
    json patch;
    std::optional<JwtFailure> expected;
  };
  std::vector<Case> cases = {
      {"exp just past, in leeway", {{"exp", kNow - 59}}, std::nullopt},
      {"exp past leeway", {{"exp", kNow - 60}}, JwtFailure::kExpired},
      {"exp as a string", {{"exp", "soon"}}, JwtFailure::kMissingExp},
      {"exp fractional", {{"exp", kNow + 0.5}}, std::nullopt},
      {"nbf in leeway", {{"nbf", kNow + 60}}, std::nullopt},
      {"nbf ahead", {{"nbf", kNow + 61}}, JwtFailure::kNotYetValid},
      {"iat ahead", {{"iat", kNow + 61}}, JwtFailure::kNotYetValid},
      {"user not a string", {{"email", 7}}, JwtFailure::kMissingUser},
      {"jti empty", {{"jti", ""}}, JwtFailure::kMalformed},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json claims = Claims();
    claims.update(c.patch);
    auto v = VerifyJwt(Hs(claims), HmacKeys(), {}, kNow);
    if (c.expected) {
      ASSERT_FALSE(v);
      EXPECT_EQ(FailureName(v.error()), FailureName(*c.expected));
    } else {
      EXPECT_TRUE(v) << FailureName(v.error());
    }
  }
  json no_exp = Claims();
  no_exp.erase("exp");
  EXPECT_EQ(VerifyJwt(Hs(no_exp), HmacKeys(), {}, kNow).error(), JwtFailure::kMissingExp);
}

TEST(LegacyJwt, IssuerAndAudienceAreCheckedOnlyWhenConfigured) {
  JwtPolicy p;
  p.issuer = "https://legacy";
  p.audience = "us";
  json c = Claims();
  EXPECT_EQ(VerifyJwt(Hs(c), HmacKeys(), p, kNow).error(), JwtFailure::kWrongIssuer);
  c["iss"] = "https://legacy";
  EXPECT_EQ(VerifyJwt(Hs(c), HmacKeys(), p, kNow).error(), JwtFailure::kWrongAudience);
  c["aud"] = json::array({"them", "us"});
  EXPECT_TRUE(VerifyJwt(Hs(c), HmacKeys(), p, kNow));
  c["aud"] = "them";
  EXPECT_EQ(VerifyJwt(Hs(c), HmacKeys(), p, kNow).error(), JwtFailure::kWrongAudience);
  EXPECT_TRUE(VerifyJwt(Hs(c), HmacKeys(), {}, kNow));
}

TEST(LegacyJwt, TheParserRefusesWhatALenientOneWouldGuess) {
  std::string claims = Base64UrlForTest(Claims().dump());
  std::vector<std::pair<std::string, JwtFailure>> cases = {
      {"", JwtFailure::kMalformed},
      {"a.b", JwtFailure::kMalformed},
      {"a.b.c.d.e", JwtFailure::kMalformed},
      {Base64UrlForTest(R"({"alg":"HS256","alg":"none"})") + "." + claims + ".AAAA",
       JwtFailure::kMalformed},
      {Base64UrlForTest(R"({"alg":"HS256"})") + "=." + claims + ".AAAA", JwtFailure::kMalformed},
      {Base64UrlForTest(R"(["alg"])") + "." + claims + ".AAAA", JwtFailure::kMalformed},
      {Base64UrlForTest(R"({"alg":"HS256"} )") + "." + Base64UrlForTest("{\"a\":1,\"a\":2}") +
           ".AAAA",
       JwtFailure::kMalformed},
      {Base64UrlForTest(std::string(20, '[') + std::string(20, ']')) + "." + claims + ".AAAA",
       JwtFailure::kMalformed},
      {Base64UrlForTest(R"({"typ":"JWT"})") + "." + claims + ".AAAA", JwtFailure::kRefusedAlg},
      {Base64UrlForTest(R"({"alg":"HS256","crit":["exp"]})") + "." + claims + ".AAAA",
       JwtFailure::kRefusedHeader},
      {Base64UrlForTest(R"({"alg":"HS256","typ":"JOSE+JSON"})") + "." + claims + ".AAAA",
       JwtFailure::kRefusedHeader},
      {std::string(kMaxJwtBytes + 1, 'a'), JwtFailure::kMalformed},
  };
  for (const auto& [token, expected] : cases) {
    SCOPED_TRACE(token.substr(0, 60));
    auto p = ParseJwt(token);
    ASSERT_FALSE(p);
    EXPECT_EQ(FailureName(p.error()), FailureName(expected));
  }
}

TEST(LegacyJwt, AlgNoneAndUnknownAlgorithmsAreNeverAccepted) {
  for (const char* alg : {"none", "NONE", "HS512", "RS384", "PS256", "hs256"}) {
    SCOPED_TRACE(alg);
    auto v = VerifyJwt(Hs(Claims(), {{"alg", alg}}), HmacKeys(), {}, kNow);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error(), JwtFailure::kRefusedAlg);
  }
}

}  // namespace
}  // namespace oakgate::legacy
