#include <gtest/gtest.h>

#include "gateway/crypto/base64.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/oauth/basic_auth.hpp"
#include "gateway/oauth/errors.hpp"
#include "gateway/oauth/pkce.hpp"
#include "gateway/oauth/redirect_uri.hpp"
#include "gateway/oauth/scope.hpp"

namespace oakgate::oauth {
namespace {

TEST(Pkce, Rfc7636AppendixBKnownAnswer) {
  EXPECT_TRUE(VerifyS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                         "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
  EXPECT_FALSE(VerifyS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl",
                          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
}

TEST(Pkce, VerifierLengthEdges) {
  EXPECT_FALSE(IsValidCodeVerifier(std::string(42, 'a')));
  EXPECT_TRUE(IsValidCodeVerifier(std::string(43, 'a')));
  EXPECT_TRUE(IsValidCodeVerifier(std::string(128, 'a')));
  EXPECT_FALSE(IsValidCodeVerifier(std::string(129, 'a')));
  EXPECT_TRUE(IsValidCodeVerifier(std::string(40, 'a') + "-._~"));
  EXPECT_FALSE(IsValidCodeVerifier(std::string(42, 'a') + "+"));
  EXPECT_FALSE(IsValidCodeVerifier(std::string(42, 'a') + "/"));
  EXPECT_FALSE(IsValidCodeVerifier(std::string(42, 'a') + "="));
  EXPECT_FALSE(IsValidCodeVerifier(std::string(42, 'a') + " "));
}

TEST(Pkce, ChallengeSyntax) {
  EXPECT_TRUE(IsValidS256Challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
  EXPECT_FALSE(IsValidS256Challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c"));    // 42
  EXPECT_FALSE(IsValidS256Challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM="));  // padded
  EXPECT_FALSE(IsValidS256Challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"));   // '+'
  EXPECT_FALSE(IsValidS256Challenge(""));
}

struct RedirectCase {
  const char* registered;
  const char* requested;
  bool matches;
};

class RedirectUriMatching : public ::testing::TestWithParam<RedirectCase> {};

TEST_P(RedirectUriMatching, FollowsTheContract) {
  auto p = GetParam();
  EXPECT_EQ(MatchRedirectUri({p.registered}, p.requested).has_value(), p.matches)
      << p.registered << " vs " << p.requested;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RedirectUriMatching,
    ::testing::Values(
        RedirectCase{"https://app.example/cb", "https://app.example/cb", true},
        RedirectCase{"https://app.example/cb", "https://app.example/cb/", false},
        RedirectCase{"https://app.example/cb", "https://APP.example/cb", false},
        RedirectCase{"https://app.example/cb", "https://app.example/CB", false},
        RedirectCase{"https://app.example/cb", "https://app.example/cb?x=1", false},
        RedirectCase{"https://app.example:443/cb", "https://app.example:8443/cb", false},
        RedirectCase{"http://127.0.0.1:8989/callback", "http://127.0.0.1:51234/callback", true},
        RedirectCase{"http://127.0.0.1/callback", "http://127.0.0.1:51234/callback", true},
        RedirectCase{"http://127.0.0.1/callback", "http://127.0.0.1/callback", true},
        RedirectCase{"http://127.0.0.1:8989/callback", "http://127.0.0.1:51234/other", false},
        RedirectCase{"http://[::1]:80/cb", "http://[::1]:61000/cb", true},
        RedirectCase{"http://localhost/cb", "http://localhost:3000/cb", true},
        RedirectCase{"http://localhost/cb", "http://127.0.0.1:3000/cb", false},
        RedirectCase{"http://127.0.0.1/cb", "http://127.0.0.1.evil.example/cb", false},
        RedirectCase{"http://127.0.0.1/cb", "http://127.0.0.1@evil.example/cb", false},
        RedirectCase{"http://127.0.0.1/cb", "https://127.0.0.1:3000/cb", false},
        RedirectCase{"https://app.example/cb", "https://app.example:3000/cb", false},
        RedirectCase{"http://[::1]/cb", "http://[::1]:61000/cb", true},
        RedirectCase{"http://[::1]/cb", "http://[::1]/cb", true},
        RedirectCase{"http://[::1]/cb", "http://127.0.0.1:61000/cb", false},
        RedirectCase{"http://localhost:3000/cb", "http://localhost:4000/cb", true},
        RedirectCase{"http://localhost/cb", "http://localhost:3000/cb/", false},
        RedirectCase{"http://127.0.0.1/cb", "http://127.0.0.1:99999x/cb", false},
        RedirectCase{"http://127.0.0.1/cb", "http://127.0.0.1:3000/cb?x=1", false},
        RedirectCase{"http://127.0.0.2/cb", "http://127.0.0.2:3000/cb", false},
        RedirectCase{"http://[::1]/cb", "http://[::1:3000/cb", false}));

TEST(RedirectUri, OriginsAndLoopback) {
  EXPECT_EQ(OriginOf("https://app.example/cb?x=1"), "https://app.example");
  EXPECT_EQ(OriginOf("http://127.0.0.1:5555/callback"), "http://127.0.0.1:5555");
  EXPECT_EQ(OriginOf("not a uri"), "");
  EXPECT_TRUE(IsLoopbackRedirect("http://127.0.0.1:1/x"));
  EXPECT_TRUE(IsLoopbackRedirect("http://[::1]/x"));
  EXPECT_TRUE(IsLoopbackRedirect("http://localhost/x"));
  EXPECT_FALSE(IsLoopbackRedirect("https://127.0.0.1/x"));
  EXPECT_FALSE(IsLoopbackRedirect("http://localhost.example/x"));
}

TEST(Scope, SubsetEdges) {
  EXPECT_TRUE(IsSubset({"keys", "agents"}, {"agents", "keys"})) << "order does not matter";
  EXPECT_TRUE(IsSubset({"keys"}, {"keys"}));
  EXPECT_FALSE(IsSubset({"keys"}, {}));
  EXPECT_FALSE(IsSubset({"Keys"}, {"keys"})) << "scope tokens are case-sensitive";
  EXPECT_FALSE(IsSubset({"key"}, {"keys"}));
  EXPECT_FALSE(ParseScope(" keys"));
  EXPECT_FALSE(ParseScope("keys "));
  EXPECT_FALSE(ParseScope("keys\tagents"));
  EXPECT_FALSE(ParseScope(std::string(201, 'a')));
  std::string many;
  for (int i = 0; i < 65; ++i) many += (i ? " s" : "s") + std::to_string(i);
  EXPECT_FALSE(ParseScope(many));
}

TEST(Pkce, VerifierAndChallengeCharacters) {
  // Every unreserved character is allowed in a verifier; nothing else is.
  std::string all = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_TRUE(IsValidCodeVerifier(all));
  for (char c : std::string("!\"#$%&'()*+,/:;<=>?@[\\]^`{|}\x7f\x80")) {
    EXPECT_FALSE(IsValidCodeVerifier(std::string(42, 'a') + c)) << int(c);
  }
  EXPECT_FALSE(IsValidS256Challenge(std::string(42, 'a') + "."));
  EXPECT_FALSE(IsValidS256Challenge(std::string(42, 'a') + "~"));
  EXPECT_TRUE(IsValidS256Challenge(std::string(42, 'a') + "_"));
  // A well-formed verifier against a challenge it does not hash to.
  EXPECT_FALSE(VerifyS256(std::string(43, 'a'), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
}

TEST(AccessToken, ShapeIsPrefixPlus43Base64UrlCharacters) {
  std::string t = NewAccessToken();
  EXPECT_TRUE(HasTokenShape(t, kAccessTokenPrefix));
  EXPECT_FALSE(HasTokenShape(t, kRefreshTokenPrefix));
  EXPECT_TRUE(HasTokenShape(NewRefreshToken(), kRefreshTokenPrefix));
  EXPECT_NE(NewAccessToken(), NewAccessToken());
  EXPECT_FALSE(HasTokenShape(t.substr(0, 46), kAccessTokenPrefix));
  EXPECT_FALSE(HasTokenShape(t + "A", kAccessTokenPrefix));
  EXPECT_FALSE(HasTokenShape("oat_" + std::string(42, 'a') + "=", kAccessTokenPrefix));
}

TEST(BasicAuth, EdgeCases) {
  // An empty secret is a secret; an empty id is not an id.
  auto empty_secret = ParseBasicAuth("Basic " + crypto::Base64Encode("id:"));
  ASSERT_TRUE(empty_secret);
  EXPECT_EQ(empty_secret->client_secret, "");
  EXPECT_FALSE(ParseBasicAuth("Basic " + crypto::Base64Encode(":secret")));
  // Only the first colon separates: the secret may contain encoded or raw colons.
  auto colon = ParseBasicAuth("Basic " + crypto::Base64Encode("id:a:b"));
  ASSERT_TRUE(colon);
  EXPECT_EQ(colon->client_secret, "a:b");
  EXPECT_FALSE(ParseBasicAuth("Basic"));
  EXPECT_FALSE(ParseBasicAuth("Basic " + crypto::Base64Encode("id:%ff")))
      << "decodes to invalid UTF-8";
  EXPECT_FALSE(IsBasicScheme("Bearer x"));
}

TEST(Scope, ParsesAndChecksSubsets) {
  auto s = ParseScope("keys agents keys");
  ASSERT_TRUE(s);
  EXPECT_EQ(JoinScope(*s), "keys agents");
  EXPECT_TRUE(IsSubset({"keys"}, {"keys", "agents"}));
  EXPECT_FALSE(IsSubset({"keys", "admin"}, {"keys", "agents"}));
  EXPECT_TRUE(IsSubset({}, {"keys"}));
  EXPECT_FALSE(ParseScope("a  b"));
  EXPECT_FALSE(ParseScope("a\"b"));
  EXPECT_FALSE(ParseScope("a\\b"));
  EXPECT_TRUE(ParseScope("")->empty());
}

TEST(BasicAuth, DecodesFormUrlEncodedCredentials) {
  // RFC 6749 §2.3.1: "client:id" with secret "s%cret" are encoded before base64.
  std::string header = "Basic " + crypto::Base64Encode("client%3Aid:s%25cret+x");
  auto c = ParseBasicAuth(header);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->client_id, "client:id");
  EXPECT_EQ(c->client_secret, "s%cret x");
  EXPECT_FALSE(ParseBasicAuth("Bearer abc"));
  EXPECT_FALSE(ParseBasicAuth("Basic !!!"));
  EXPECT_FALSE(ParseBasicAuth("Basic " + crypto::Base64Encode("no-colon")));
  EXPECT_FALSE(ParseBasicAuth("Basic " + crypto::Base64Encode("%zz:x")));
  EXPECT_TRUE(IsBasicScheme("basic xyz"));
}

TEST(Errors, TableGivesRfcStringsAndStatuses) {
  EXPECT_EQ(ErrorString(ErrorCode::kInvalidGrant), "invalid_grant");
  EXPECT_EQ(ErrorStatus(ErrorCode::kInvalidClient), 401);
  EXPECT_EQ(ErrorStatus(ErrorCode::kTemporarilyUnavailable), 503);
  EXPECT_EQ(ErrorString(ErrorCode::kUnsupportedResponseType), "unsupported_response_type");
}

}  // namespace
}  // namespace oakgate::oauth
