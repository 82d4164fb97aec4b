// Each grant against small in-memory stores (the three a grant may use): code replay revokes
// what the code issued only when the replay is otherwise valid, a refresh rotates through the
// group commit and is decided again on fresh data when the rotation leaves it out (reuse
// revokes the family, grace rotates again), and commits in doubt answer with the tokens only
// when they were stored. Nothing here sleeps: waits go through a recording sleeper.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/discovery.hpp"
#include "gateway/oauth/grants/client_credentials.hpp"
#include "gateway/oauth/grants/grant.hpp"
#include "gateway/oauth/grants/grant_types.hpp"
#include "gateway/util/errors.hpp"
#include "tests/unit/oauth_fakes.hpp"

namespace oakgate::oauth {
namespace {

using testing::FakeAuditStore;
using testing::FakeTokenStore;
using testing::Unused;

// RFC 7636 Appendix B.
constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

std::string Hash(const std::string& s) { return crypto::ToBytes(crypto::Sha256(s)); }

class NoResources : public store::ResourceStore {
 public:
  bool Create(const store::Resource&) override { throw Unused(); }
  std::vector<store::Resource> List() override { throw Unused(); }
  std::vector<store::Resource> FindMany(const std::vector<std::string>&) override {
    throw Unused();
  }
  bool Delete(std::string_view) override { throw Unused(); }
  std::vector<std::string> AllScopes() override { throw Unused(); }
};

// Codes and refresh tokens by hash; what the grants wrote, recorded.
class GrantTokenStore : public FakeTokenStore {
 public:
  std::map<std::string, store::AuthorizationCode> codes;
  std::map<std::string, store::RefreshTokenRecord> refresh;
  std::function<std::optional<store::Issued>()> redeem = [] {
    return std::optional<store::Issued>(store::Issued{5, 600});
  };
  std::vector<std::pair<int64_t, std::string>> revoked;  // (family, reason)
  std::vector<store::NewTokens> rotated;                 // Rotate's new tokens
  std::vector<int64_t> retired_children;                 // RotateAgain's child
  std::vector<store::AuditEvent> events;                 // handed over with their changes

  std::optional<store::AuthorizationCode> FindCode(std::string_view hash) override {
    auto it = codes.find(std::string(hash));
    if (it == codes.end()) return std::nullopt;
    return it->second;
  }
  std::optional<store::Issued> RedeemCode(const store::AuthorizationCode&, int64_t, int64_t,
                                          const store::NewTokens& tokens) override {
    auto issued = redeem();
    if (issued) events.push_back(tokens.audit);
    return issued;
  }
  std::optional<store::RefreshTokenRecord> FindRefreshToken(std::string_view hash) override {
    auto it = refresh.find(std::string(hash));
    if (it == refresh.end()) return std::nullopt;
    return it->second;
  }
  std::optional<store::Issued> Rotate(const store::RefreshTokenRecord& old,
                                      const store::NewTokens& tokens) override {
    rotated.push_back(tokens);
    events.push_back(tokens.audit);
    return store::Issued{old.family_id, tokens.access_ttl_seconds};
  }
  std::optional<store::Issued> RotateAgain(const store::RefreshTokenRecord& old, int64_t child,
                                           const store::NewTokens& tokens) override {
    retired_children.push_back(child);
    events.push_back(tokens.audit);
    return store::Issued{old.family_id, tokens.access_ttl_seconds};
  }
  bool RevokeFamily(int64_t family, std::string_view reason,
                    const store::AuditEvent& audit) override {
    revoked.emplace_back(family, std::string(reason));
    events.push_back(audit);
    return true;
  }
};

class GrantTest : public ::testing::Test {
 protected:
  GrantTest() {
    client_.client.id = "app";
    client_.client.redirect_uris = {"https://app.example/cb"};
    client_.client.scopes = {"a", "b"};
    client_.client.grant_types = {"authorization_code", "refresh_token"};
    settings_.access_token_ttl = 600;
    settings_.refresh_token_ttl = 86400;
  }
  GrantContext Context() {
    GrantContext ctx{tokens_, resources_, settings_, caller_};
    ctx.rotate = rotate_;
    ctx.sleep = [this](std::chrono::milliseconds d) { waits_.push_back(d); };
    return ctx;
  }
  // A code of `client_` issued `family` (once used).
  std::string AddCode(bool used, std::optional<int64_t> family = std::nullopt) {
    std::string code(43, 'c');
    store::AuthorizationCode c;
    c.id = 1;
    c.client_id = "app";
    c.user_id = "user-1";
    c.redirect_uri = "https://app.example/cb";
    c.scopes = {"a"};
    c.code_challenge = kChallenge;
    c.used = used;
    c.family_id = family;
    tokens_.codes[Hash(code)] = c;
    return code;
  }
  TokenRequest CodeRequest(const std::string& code, std::string verifier = kVerifier) {
    TokenRequest r;
    r.grant_type = "authorization_code";
    r.code = code;
    r.redirect_uri = "https://app.example/cb";
    r.code_verifier = verifier;
    return r;
  }
  // A refresh token of `client_`'s family 7, as the store would read it.
  std::string AddRefresh(bool retired, std::optional<int64_t> unused_child = std::nullopt) {
    std::string token = "ort_" + std::string(43, 'r');
    store::RefreshTokenRecord t;
    t.id = 70;
    t.family_id = 7;
    t.client_id = "app";
    t.user_id = "user-1";
    t.family_scopes = {"a", "b"};
    t.family_active = true;
    t.retired = retired;
    t.ms_since_retired = retired ? 1000 : 0;
    t.unused_child_id = unused_child;
    tokens_.refresh[Hash(token)] = t;
    return token;
  }
  TokenRequest RefreshRequest(const std::string& token) {
    TokenRequest r;
    r.grant_type = "refresh_token";
    r.refresh_token = token;
    return r;
  }
  // Events the grants handed to the store with the change they record.
  size_t AuditCount(const std::string& type) {
    size_t n = 0;
    for (const auto& e : tokens_.events) n += e.type == type;
    return n;
  }

  GrantTokenStore tokens_;
  NoResources resources_;
  OAuthSettings settings_;
  Caller caller_{"10.0.0.1", "req-1"};
  AuthenticatedClient client_;
  RotateFn rotate_;
  std::vector<store::RotationRequest> rotations_;
  std::vector<std::chrono::milliseconds> waits_;
};

TEST_F(GrantTest, ACodeIsRedeemedOnceForTokensWithItsScopes) {
  std::string code = AddCode(false);
  auto r = grants::AuthorizationCode(Context(), client_, CodeRequest(code));
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r.value().access_token.rfind("oat_", 0), 0u);
  ASSERT_TRUE(r.value().refresh_token);
  EXPECT_EQ(r.value().scopes, (std::vector<std::string>{"a"}));
  EXPECT_EQ(AuditCount("oauth.token_issued"), 1u);
}

TEST_F(GrantTest, ASecondUseOfACodeThatIsOtherwiseValidRevokesWhatItIssued) {
  std::string code = AddCode(true, 42);
  auto r = grants::AuthorizationCode(Context(), client_, CodeRequest(code));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidGrant);
  EXPECT_TRUE(r.error().revoked);
  EXPECT_EQ(tokens_.revoked, (std::vector<std::pair<int64_t, std::string>>{{42, "code_reuse"}}));
  EXPECT_EQ(AuditCount("oauth.code_reuse_detected"), 1u);
}

TEST_F(GrantTest, ASecondUseOfACodeWithAWrongVerifierRevokesNothing) {
  std::string code = AddCode(true, 42);
  auto r = grants::AuthorizationCode(Context(), client_, CodeRequest(code, std::string(43, 'v')));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidGrant);
  EXPECT_FALSE(r.error().revoked);
  EXPECT_TRUE(tokens_.revoked.empty());
}

TEST_F(GrantTest, ASecondUseOfACodeByAnotherClientRevokesNothing) {
  std::string code = AddCode(true, 42);
  AuthenticatedClient other = client_;
  other.client.id = "other";
  auto r = grants::AuthorizationCode(Context(), other, CodeRequest(code));
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().revoked);
  EXPECT_TRUE(tokens_.revoked.empty());
}

TEST_F(GrantTest, LosingTheRedeemRaceRevokesWhatTheWinnerGot) {
  std::string code = AddCode(false);
  tokens_.redeem = [&] {
    // The concurrent winner has committed: the code is used, with its family.
    tokens_.codes[Hash(code)].used = true;
    tokens_.codes[Hash(code)].family_id = 9;
    return std::optional<store::Issued>();
  };
  auto r = grants::AuthorizationCode(Context(), client_, CodeRequest(code));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().revoked);
  EXPECT_EQ(tokens_.revoked, (std::vector<std::pair<int64_t, std::string>>{{9, "code_reuse"}}));
}

TEST_F(GrantTest, ARedeemInDoubtThatTookEffectAnswersWithItsTokens) {
  std::string code = AddCode(false);
  tokens_.redeem = []() -> std::optional<store::Issued> {
    throw util::CommitInDoubt("connection lost during COMMIT");
  };
  tokens_.stored = [](std::string_view) { return true; };
  auto r = grants::AuthorizationCode(Context(), client_, CodeRequest(code));
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().expires_in, 600);
  EXPECT_TRUE(waits_.empty());
}

TEST_F(GrantTest, ARedeemInDoubtThatNobodyCanResolveIs503AfterAskingForFiveSeconds) {
  std::string code = AddCode(false);
  tokens_.redeem = []() -> std::optional<store::Issued> {
    throw util::CommitInDoubt("connection lost during COMMIT");
  };
  tokens_.stored = [](std::string_view) -> bool { throw util::ServiceUnavailable("down"); };
  EXPECT_THROW(grants::AuthorizationCode(Context(), client_, CodeRequest(code)),
               util::ServiceUnavailable);
  std::chrono::milliseconds waited{0};
  for (auto w : waits_) waited += w;
  EXPECT_EQ(waited, std::chrono::milliseconds(5000));
  EXPECT_TRUE(tokens_.revoked.empty());
}

TEST_F(GrantTest, TheCommonRefreshGoesToTheRotationAndAnswersWhatItStored) {
  std::string token = AddRefresh(false);
  rotate_ = [this](store::RotationRequest r) {
    rotations_.push_back(r);
    return store::Outcome<store::Rotated>{store::Committed::kStored,
                                          store::Rotated{{7, 300}, {"a", "b"}, {}}};
  };
  auto r = grants::RefreshToken(Context(), client_, RefreshRequest(token));
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().expires_in, 300);
  EXPECT_EQ(r.value().scopes, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(r.value().refresh_token);
  ASSERT_EQ(rotations_.size(), 1u);
  EXPECT_EQ(rotations_[0].presented_hash, Hash(token));
  EXPECT_EQ(rotations_[0].client_id, "app");
  EXPECT_EQ(rotations_[0].tokens.refresh_hash, Hash(*r.value().refresh_token));
  EXPECT_EQ(rotations_[0].audit.type, "oauth.token_refreshed");
  EXPECT_TRUE(tokens_.rotated.empty()) << "no second write";
}

TEST_F(GrantTest, ARetiredTokenThatTheRotationLeftOutRevokesItsFamily) {
  std::string token = AddRefresh(true);
  rotate_ = [](store::RotationRequest) {
    return store::Outcome<store::Rotated>{store::Committed::kSkipped, std::nullopt};
  };
  auto r = grants::RefreshToken(Context(), client_, RefreshRequest(token));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidGrant);
  EXPECT_TRUE(r.error().revoked);
  EXPECT_EQ(tokens_.revoked, (std::vector<std::pair<int64_t, std::string>>{{7, "refresh_reuse"}}));
  EXPECT_EQ(AuditCount("oauth.refresh_reuse_detected"), 1u);
}

TEST_F(GrantTest, WithinGraceARetiredTokenRotatesAgainAndRetiresItsUnusedChild) {
  settings_.refresh_grace = 30;
  std::string token = AddRefresh(true, 71);
  rotate_ = [](store::RotationRequest) {
    return store::Outcome<store::Rotated>{store::Committed::kSkipped, std::nullopt};
  };
  auto r = grants::RefreshToken(Context(), client_, RefreshRequest(token));
  ASSERT_TRUE(r);
  EXPECT_EQ(tokens_.retired_children, (std::vector<int64_t>{71}));
  EXPECT_TRUE(tokens_.revoked.empty());
}

TEST_F(GrantTest, ARotationThatFailedIs503AndRevokesNothing) {
  std::string token = AddRefresh(false);
  rotate_ = [](store::RotationRequest) {
    return store::Outcome<store::Rotated>{store::Committed::kUnknown, std::nullopt};
  };
  EXPECT_THROW(grants::RefreshToken(Context(), client_, RefreshRequest(token)),
               util::ServiceUnavailable);
  EXPECT_TRUE(tokens_.revoked.empty());
}

TEST_F(GrantTest, ANarrowerScopeNarrowsOnlyTheAccessToken) {
  std::string token = AddRefresh(false);
  rotate_ = [](store::RotationRequest) -> store::Outcome<store::Rotated> {
    ADD_FAILURE() << "a narrower scope is not the common refresh";
    return {};
  };
  TokenRequest req = RefreshRequest(token);
  req.scope = "a";
  auto r = grants::RefreshToken(Context(), client_, req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().scopes, (std::vector<std::string>{"a"}));
  ASSERT_EQ(tokens_.rotated.size(), 1u);
  EXPECT_EQ(tokens_.rotated[0].access_scopes, (std::vector<std::string>{"a"}));
}

TEST_F(GrantTest, AScopeBeyondTheFamilysIsInvalidScopeAndRevokesNothing) {
  std::string token = AddRefresh(false);
  TokenRequest req = RefreshRequest(token);
  req.scope = "a c";
  auto r = grants::RefreshToken(Context(), client_, req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidScope);
  EXPECT_TRUE(tokens_.revoked.empty());
}

TEST_F(GrantTest, AnotherClientsRefreshTokenIsInvalidGrantAndRevokesNothing) {
  std::string token = AddRefresh(true);
  AuthenticatedClient other = client_;
  other.client.id = "other";
  auto r = grants::RefreshToken(Context(), other, RefreshRequest(token));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidGrant);
  EXPECT_FALSE(r.error().revoked);
  EXPECT_TRUE(tokens_.revoked.empty());
}

TEST_F(GrantTest, ClientCredentialsAreOnlyForConfidentialClients) {
  client_.client.grant_types = {"client_credentials"};
  TokenRequest req;
  req.grant_type = "client_credentials";
  auto r = grants::ClientCredentials(Context(), client_, req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthorizedClient);
}

TEST_F(GrantTest, ClientCredentialsWithinTheRegisteredScopesIssueAnAccessTokenOnly) {
  client_.client.confidential = true;
  std::vector<store::ClientCredentialsIssue> written;
  tokens_.issue = [&](const std::vector<store::ClientCredentialsIssue>& batch) {
    written = batch;
    return std::vector<store::Issued>(batch.size(), store::Issued{3, 600});
  };
  TokenRequest req;
  req.grant_type = "client_credentials";
  req.scope = "b";
  auto r = grants::ClientCredentials(Context(), client_, req);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r.value().refresh_token);
  EXPECT_EQ(r.value().scopes, (std::vector<std::string>{"b"}));
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].audit.type, "oauth.token_issued");
  req.scope = "c";
  EXPECT_EQ(grants::ClientCredentials(Context(), client_, req).error().code,
            ErrorCode::kInvalidScope);
}

TEST(GrantTypes, OneTableNamesWhatDiscoveryRegistrationAndTheTokenEndpointAccept) {
  EXPECT_EQ(
      grants::GrantTypeNames(),
      (std::vector<std::string>{"authorization_code", "refresh_token", "client_credentials"}));
  EXPECT_EQ(grants::RegistrableGrantTypes(),
            (std::vector<std::string>{"authorization_code", "refresh_token"}));
  ASSERT_NE(grants::FindGrantType("client_credentials"), nullptr);
  EXPECT_TRUE(grants::FindGrantType("client_credentials")->confidential_only);
  EXPECT_TRUE(grants::FindGrantType("authorization_code")->needs_redirect_uri);
  EXPECT_EQ(grants::FindGrantType("password"), nullptr);
  EXPECT_NE(DiscoveryDocument("https://a.example", false)
                .find(R"("grant_types_supported":["authorization_code","refresh_token",)"
                      R"("client_credentials"])"),
            std::string::npos);
}

}  // namespace
}  // namespace oakgate::oauth
