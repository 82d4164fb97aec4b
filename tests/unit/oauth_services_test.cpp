// The OAuth services' rules against in-memory fakes: client authentication and the
// resolution of commits in doubt.
#include <gtest/gtest.h>

#include "gateway/crypto/base64.hpp"
#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/client_auth.hpp"
#include "gateway/oauth/discovery.hpp"
#include "gateway/oauth/grants/issue.hpp"
#include "tests/unit/oauth_fakes.hpp"

namespace oakgate::oauth {
namespace {

using testing::FakeDatabase;
using testing::FixedClock;

std::string Hash(const std::string& s) { return crypto::ToBytes(crypto::Sha256(s)); }

class ClientAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Client pub;
    pub.id = "public-app";
    db_.clients.Create(pub, {});
    store::Client conf;
    conf.id = "server";
    conf.confidential = true;
    conf.secret_hash = Hash("current-secret");
    conf.previous_secret_hash = Hash("old-secret");
    conf.previous_secret_expires_at = clock_.now + 60;
    db_.clients.Create(conf, {});
  }
  util::Result<AuthenticatedClient, OAuthError> Auth(ClientCredentials c) {
    return auth_.Authenticate(c, caller_);
  }
  static ClientCredentials Post(std::string id, std::optional<std::string> secret) {
    ClientCredentials c;
    c.client_id = std::move(id);
    c.client_secret = std::move(secret);
    return c;
  }
  static ClientCredentials Basic(const std::string& encoded_pair) {
    ClientCredentials c;
    c.authorization = "Basic " + crypto::Base64Encode(encoded_pair);
    c.authorization_count = 1;
    return c;
  }

  FakeDatabase db_;
  FixedClock clock_;
  ClientAuthLimits limits_{300, 5, 8};
  ClientAuthenticator auth_{db_, clock_, limits_};
  Caller caller_{"10.0.0.1", "req-1"};
};

TEST_F(ClientAuthTest, PublicClientWithIdOnly) {
  auto r = Auth(Post("public-app", std::nullopt));
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().method, ClientAuthMethod::kNone);
}

TEST_F(ClientAuthTest, PublicClientThatSendsASecretIsInvalidClient) {
  for (auto c : {Post("public-app", "x"), Post("public-app", ""), Basic("public-app:x")}) {
    auto r = Auth(c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidClient);
  }
}

TEST_F(ClientAuthTest, ConfidentialClientNeedsItsSecret) {
  EXPECT_TRUE(Auth(Post("server", "current-secret")));
  EXPECT_TRUE(Auth(Basic("server:current-secret")));
  auto none = Auth(Post("server", std::nullopt));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kInvalidClient);
  EXPECT_FALSE(none.error().basic_challenge);
  auto wrong = Auth(Basic("server:nope"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidClient);
  EXPECT_TRUE(wrong.error().basic_challenge) << "WWW-Authenticate: Basic when Basic was used";
}

TEST_F(ClientAuthTest, PreviousSecretWorksUntilItsGraceEnds) {
  EXPECT_TRUE(Auth(Post("server", "old-secret")));
  clock_.now += 61;
  EXPECT_FALSE(Auth(Post("server", "old-secret")));
  EXPECT_TRUE(Auth(Post("server", "current-secret")));
}

TEST_F(ClientAuthTest, AmbiguousCredentialsAreInvalidRequest) {
  ClientCredentials both = Basic("server:current-secret");
  both.client_secret = "current-secret";
  EXPECT_EQ(Auth(both).error().code, ErrorCode::kInvalidRequest);
  ClientCredentials other_id = Basic("server:current-secret");
  other_id.client_id = "public-app";
  EXPECT_EQ(Auth(other_id).error().code, ErrorCode::kInvalidRequest);
  ClientCredentials twice = Basic("server:current-secret");
  twice.authorization_count = 2;
  EXPECT_EQ(Auth(twice).error().code, ErrorCode::kInvalidRequest);
}

TEST_F(ClientAuthTest, FailuresAreRecordedAndThrottledPerClient) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(Auth(Post("server", "guess")).error().code, ErrorCode::kInvalidClient);
  EXPECT_EQ(db_.throttle.failures.size(), 5u);
  auto throttled = Auth(Post("server", "current-secret"));
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, ErrorCode::kTooManyRequests);
  EXPECT_EQ(throttled.error().retry_after, 42);
  // Audit events name the client, never the secret.
  ASSERT_FALSE(db_.audit.events.empty());
  EXPECT_EQ(db_.audit.events[0].type, "oauth.client_auth_failed");
  EXPECT_EQ(db_.audit.events[0].client_id, "server");
  EXPECT_EQ(db_.audit.events[0].request_id, "req-1");
  for (const auto& e : db_.audit.events) {
    EXPECT_EQ(e.details_json.find("guess"), std::string::npos);
  }
}

TEST_F(ClientAuthTest, AGuessIsCountedBeforeItIsCheckedAndARightSecretIsForgotten) {
  for (int i = 0; i < 4; ++i) Auth(Post("server", "guess"));
  // The fifth attempt is admitted and counted before the secret is checked; right, it is
  // forgotten, so the client is not throttled by its own success.
  ASSERT_TRUE(Auth(Post("server", "current-secret")));
  EXPECT_EQ(Auth(Post("server", "guess")).error().code, ErrorCode::kInvalidClient);
  EXPECT_EQ(Auth(Post("server", "current-secret")).error().code, ErrorCode::kTooManyRequests);
}

TEST_F(ClientAuthTest, FailuresAreThrottledPerAddress) {
  for (int i = 0; i < 8; ++i) Auth(Post("unknown-" + std::to_string(i), "x"));
  EXPECT_EQ(Auth(Post("public-app", std::nullopt)).error().code, ErrorCode::kTooManyRequests);
  Caller elsewhere{"10.0.0.2", "req-2"};
  EXPECT_TRUE(auth_.Authenticate(Post("public-app", std::nullopt), elsewhere));
}

TEST(CommitResolved, AnUnknownOutcomeThatTookEffectAnswersWithTheMintedTokens) {
  FakeDatabase db;
  grants::Minted minted = grants::Mint(true, {"keys"}, 3600);
  db.tokens.stored = [&](std::string_view hash) { return hash == minted.stored.access_hash; };
  auto issued = grants::CommitResolved(db, minted, []() -> std::optional<store::Issued> {
    throw util::CommitInDoubt("connection lost during COMMIT");
  });
  ASSERT_TRUE(issued);
  EXPECT_EQ(issued->expires_in, 3600);
  EXPECT_EQ(db.tokens.lookups, 1);
}

TEST(CommitResolved, AnUnknownOutcomeThatDidNotTakeEffectIs503WithNothingIssued) {
  FakeDatabase db;
  grants::Minted minted = grants::Mint(true, {"keys"}, 3600);
  EXPECT_THROW(
      grants::CommitResolved(
          db, minted, []() -> std::optional<store::Issued> { throw util::CommitInDoubt("lost"); }),
      util::ServiceUnavailable);
}

TEST(CommitResolved, ALookupThatFailsIsRetriedOnAFreshConnection) {
  FakeDatabase db;
  grants::Minted minted = grants::Mint(false, {}, 60);
  int calls = 0;
  db.tokens.stored = [&](std::string_view) -> bool {
    if (++calls == 1) throw util::ServiceUnavailable("still reconnecting");
    return true;
  };
  std::vector<std::chrono::milliseconds> waits;
  auto issued = grants::CommitResolved(
      db, minted, []() -> std::optional<store::Issued> { throw util::CommitInDoubt("lost"); },
      [&](std::chrono::milliseconds d) { waits.push_back(d); });
  EXPECT_TRUE(issued);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(250)}));
}

TEST(CommitResolved, AKnownOutcomeNeedsNoLookup) {
  FakeDatabase db;
  grants::Minted minted = grants::Mint(true, {}, 60);
  EXPECT_FALSE(grants::CommitResolved(db, minted, [] { return std::optional<store::Issued>(); }));
  EXPECT_EQ(db.tokens.lookups, 0);
  // A plain outage is not in doubt: it propagates as it is.
  EXPECT_THROW(grants::CommitResolved(db, minted,
                                      []() -> std::optional<store::Issued> {
                                        throw util::ServiceUnavailable("down");
                                      }),
               util::ServiceUnavailable);
  EXPECT_EQ(db.tokens.lookups, 0);
}

TEST(Mint, TokensHaveTheirPrefixesAndOnlyHashesAreKept) {
  grants::Minted m = grants::Mint(true, {"a"}, 10);
  EXPECT_EQ(m.access_token.rfind("oat_", 0), 0u);
  EXPECT_EQ(m.refresh_token.rfind("ort_", 0), 0u);
  EXPECT_EQ(m.stored.access_hash, Hash(m.access_token));
  EXPECT_EQ(m.stored.refresh_hash, Hash(m.refresh_token));
  EXPECT_TRUE(grants::Mint(false, {}, 10).stored.refresh_hash.empty());
}

TEST(Discovery, IssuerPath) {
  EXPECT_EQ(IssuerPath("http://127.0.0.1:4000"), "");
  EXPECT_EQ(IssuerPath("https://auth.example/"), "");
  EXPECT_EQ(IssuerPath("https://auth.example/tenant/a"), "/tenant/a");
  EXPECT_NE(DiscoveryDocument("https://auth.example")
                .find("\"authorization_response_iss_parameter_supported\":true"),
            std::string::npos);
}

}  // namespace
}  // namespace oakgate::oauth
