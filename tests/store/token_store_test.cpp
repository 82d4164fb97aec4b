// The token store: what the grants rely on. Rotation is single use (alone, in a batch, or in
// many batches at once), a retired token stays visible with its unused child so the grant can
// tell reuse from grace, a revoked family stops everything, a rotation in doubt is found by its
// access token, and lists read back exactly as written.
#include <atomic>
#include <ctime>

#include "gateway/store/pg/pg_rotation_store.hpp"
#include "tests/store/store_test.hpp"

namespace oakgate::test {
namespace {

constexpr int kRacers = 8;

class TokenStore : public StoreTest {
 protected:
  struct Family {
    std::string client;
    store::NewTokens first;  // the tokens of the code exchange
    store::RefreshTokenRecord refresh;
  };

  // A user's grant: a code redeemed into a family with an access and a refresh token.
  static Family NewFamily(std::vector<std::string> scopes = {"openid", "read"},
                          int64_t idle_ttl_seconds = 0) {
    Family f;
    f.client = NewClient();
    store::NewCode code;
    code.code_hash = Hash();
    code.client_id = f.client;
    code.user_id = NewUser();
    code.redirect_uri = "https://app.example.test/cb";
    code.scopes = scopes;
    code.code_challenge = "challenge";
    Db().Tokens().CreateCode(code);
    f.first = Tokens();
    f.first.access_scopes = scopes;
    EXPECT_TRUE(Db().Tokens().RedeemCode(Db().Tokens().FindCode(code.code_hash).value(), 3600,
                                         idle_ttl_seconds, f.first));
    f.refresh = Db().Tokens().FindRefreshToken(f.first.refresh_hash).value();
    return f;
  }

  static store::RotationRequest RotationOf(const Family& f, const std::string& presented) {
    store::RotationRequest r;
    r.presented_hash = presented;
    r.client_id = f.client;
    r.tokens = Tokens();
    r.tokens.access_ttl_seconds = 600;
    r.audit.type = "oauth.token_refreshed";
    r.audit.details_json = R"({"detail":"rotated"})";
    return r;
  }

  static int64_t RefreshTokensOf(const Family& f) {
    return Count("SELECT count(*) FROM refresh_tokens WHERE family_id = " +
                 std::to_string(f.refresh.family_id));
  }
};

TEST_F(TokenStore, ListsOfScopesAndAudiencesReadBackExactlyAsWritten) {
  Family f = NewFamily({"openid", "read", "files:write"});
  auto access = Db().Tokens().FindActiveAccessToken(f.first.access_hash).value();
  EXPECT_EQ(access.scopes, (std::vector<std::string>{"openid", "read", "files:write"}));
  EXPECT_TRUE(access.audience.empty());
  EXPECT_EQ(f.refresh.family_scopes, (std::vector<std::string>{"openid", "read", "files:write"}));
  EXPECT_TRUE(f.refresh.family_resources.empty());
  EXPECT_FALSE(f.refresh.retired);
  EXPECT_TRUE(f.refresh.family_active);
  EXPECT_FALSE(f.refresh.unused_child_id);
}

TEST_F(TokenStore, ABatchPresentingOneTokenTwiceRotatesItOnce) {
  Family f = NewFamily();
  store::pg::PgRotationStore rotations(Db());
  auto out = rotations.RotateBatch(
      {RotationOf(f, f.first.refresh_hash), RotationOf(f, f.first.refresh_hash)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].has_value() + out[1].has_value(), 1);
  EXPECT_EQ(RefreshTokensOf(f), 2);
}

TEST_F(TokenStore, ARefreshTokenIsRotatedByExactlyOneOfManyConcurrentBatches) {
  Family f = NewFamily();
  std::atomic<int> winners{0};
  RunTogether(kRacers, [&](int) {
    store::pg::PgRotationStore rotations(Db());
    auto out = rotations.RotateBatch({RotationOf(f, f.first.refresh_hash)});
    if (out.at(0)) {
      EXPECT_EQ(out[0]->issued.family_id, f.refresh.family_id);
      EXPECT_EQ(out[0]->scopes, f.refresh.family_scopes);
      ++winners;
    }
  });
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(RefreshTokensOf(f), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE type = 'oauth.token_refreshed'"
                  " AND subject = 'family:" +
                  std::to_string(f.refresh.family_id) + "'"),
            1);
}

TEST_F(TokenStore, ARetiredTokenIsLeftOutOfABatchAndStaysVisibleForReuseDetection) {
  Family f = NewFamily();
  store::pg::PgRotationStore rotations(Db());
  store::RotationRequest first = RotationOf(f, f.first.refresh_hash);
  ASSERT_TRUE(rotations.RotateBatch({first}).at(0));

  // Presented again: nothing is written, and the grant finds it retired with its unused child.
  EXPECT_FALSE(rotations.RotateBatch({RotationOf(f, f.first.refresh_hash)}).at(0));
  EXPECT_EQ(RefreshTokensOf(f), 2);
  auto again = Db().Tokens().FindRefreshToken(f.first.refresh_hash).value();
  EXPECT_TRUE(again.retired);
  EXPECT_TRUE(again.family_active);
  auto child = Db().Tokens().FindRefreshToken(first.tokens.refresh_hash).value();
  EXPECT_EQ(again.unused_child_id, child.id);

  // Once the child is used, the retired token has no unused child: no grace, only reuse.
  ASSERT_TRUE(rotations.RotateBatch({RotationOf(f, first.tokens.refresh_hash)}).at(0));
  EXPECT_FALSE(Db().Tokens().FindRefreshToken(f.first.refresh_hash)->unused_child_id);
  EXPECT_FALSE(Db().Tokens().RotateAgain(again, child.id, Tokens()));
}

TEST_F(TokenStore, AnotherClientsBatchRotatesNothing) {
  Family f = NewFamily();
  store::pg::PgRotationStore rotations(Db());
  store::RotationRequest r = RotationOf(f, f.first.refresh_hash);
  r.client_id = NewClient();
  EXPECT_FALSE(rotations.RotateBatch({r}).at(0));
  EXPECT_FALSE(Db().Tokens().FindRefreshToken(f.first.refresh_hash)->retired);
}

TEST_F(TokenStore, AnUnusedChildIsRetiredForAGraceRotationByExactlyOneOfManyRequests) {
  Family f = NewFamily();
  ASSERT_TRUE(Db().Tokens().Rotate(f.refresh, Tokens()));
  auto retired = Db().Tokens().FindRefreshToken(f.first.refresh_hash).value();
  ASSERT_TRUE(retired.unused_child_id);

  std::atomic<int> winners{0};
  RunTogether(kRacers, [&](int) {
    if (Db().Tokens().RotateAgain(retired, *retired.unused_child_id, Tokens())) ++winners;
  });
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(RefreshTokensOf(f), 3);  // the first, the retired child, its replacement
}

TEST_F(TokenStore, ARevokedFamilyHasNoActiveTokenAndRotatesNoMore) {
  Family f = NewFamily();
  EXPECT_TRUE(Db().Tokens().RevokeFamily(f.refresh.family_id, "refresh_reuse", {}));
  EXPECT_FALSE(Db().Tokens().RevokeFamily(f.refresh.family_id, "refresh_reuse", {}));

  EXPECT_FALSE(Db().Tokens().FindActiveAccessToken(f.first.access_hash));
  EXPECT_FALSE(Db().Tokens().FindRefreshToken(f.first.refresh_hash)->family_active);
  EXPECT_FALSE(Db().Tokens().Rotate(f.refresh, Tokens()));
  store::pg::PgRotationStore rotations(Db());
  EXPECT_FALSE(rotations.RotateBatch({RotationOf(f, f.first.refresh_hash)}).at(0));
  EXPECT_EQ(RefreshTokensOf(f), 1);
}

// RFC 9700 §4.14.2 (G5): a stolen refresh token of a family nobody uses any more stops working
// after the idle limit, on every path that can rotate or report it.
TEST_F(TokenStore, AFamilyUnusedPastItsIdleLimitIsInactiveAndRotatesNoMore) {
  auto idle_for = [](const Family& f, const std::string& interval) {
    Sql().Scalar("UPDATE token_families SET last_used_at = now() - interval '" + interval +
                 "' WHERE id = " + std::to_string(f.refresh.family_id));
  };
  Family f = NewFamily({"read"}, 60);
  idle_for(f, "61 seconds");
  EXPECT_FALSE(Db().Tokens().FindRefreshToken(f.first.refresh_hash)->family_active);
  EXPECT_FALSE(Db().Tokens().Rotate(f.refresh, Tokens()));
  store::pg::PgRotationStore rotations(Db());
  EXPECT_FALSE(rotations.RotateBatch({RotationOf(f, f.first.refresh_hash)}).at(0));
  EXPECT_EQ(RefreshTokensOf(f), 1);

  // Used within the limit, a rotation (alone or in a batch) moves the limit on.
  Family g = NewFamily({"read"}, 60);
  idle_for(g, "50 seconds");
  ASSERT_TRUE(Db().Tokens().Rotate(g.refresh, Tokens()));
  EXPECT_EQ(Count("SELECT count(*) FROM token_families WHERE last_used_at > now() - interval"
                  " '5 seconds' AND id = " +
                  std::to_string(g.refresh.family_id)),
            1);
  Family h = NewFamily({"read"}, 60);
  idle_for(h, "50 seconds");
  ASSERT_TRUE(rotations.RotateBatch({RotationOf(h, h.first.refresh_hash)}).at(0));
  idle_for(h, "50 seconds");
  EXPECT_TRUE(Db().Tokens().FindRefreshToken(h.first.refresh_hash)->family_active)
      << "50 s since the last use, not 100 s since the first";

  // The idle end is reported as the expiry, and never later than the absolute one.
  Family k = NewFamily({"read"}, 600);
  auto found = Db().Tokens().FindRefreshToken(k.first.refresh_hash).value();
  EXPECT_LE(found.family_expires_at - std::time(nullptr), 601);
  Sql().Scalar("UPDATE token_families SET expires_at = now() + interval '30 seconds' WHERE id = " +
               std::to_string(k.refresh.family_id));
  found = Db().Tokens().FindRefreshToken(k.first.refresh_hash).value();
  EXPECT_LE(found.family_expires_at - std::time(nullptr), 31);

  // 0: no idle limit.
  Family off = NewFamily({"read"}, 0);
  idle_for(off, "100 days");
  EXPECT_TRUE(Db().Tokens().FindRefreshToken(off.first.refresh_hash)->family_active);
  EXPECT_TRUE(Db().Tokens().Rotate(off.refresh, Tokens()));
}

TEST_F(TokenStore, ARotationInDoubtIsFoundByItsAccessTokenAndAnUnstoredOneIsNot) {
  Family f = NewFamily();
  store::pg::PgRotationStore rotations(Db());
  store::RotationRequest r = RotationOf(f, f.first.refresh_hash);
  auto stored = rotations.RotateBatch({r}).at(0).value();

  std::string never = Hash();
  auto found = rotations.FindRotated({never, r.tokens.access_hash});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_FALSE(found[0]);
  ASSERT_TRUE(found[1]);
  EXPECT_EQ(found[1]->issued.family_id, stored.issued.family_id);
  EXPECT_EQ(found[1]->scopes, stored.scopes);
  EXPECT_EQ(found[1]->audience, stored.audience);
}

TEST_F(TokenStore, ClientCredentialsBatchesAnswerInOrderAndEveryTokenIsStored) {
  std::string client = NewClient();
  std::vector<store::ClientCredentialsIssue> batch;
  for (int i = 0; i < 3; ++i) {
    store::ClientCredentialsIssue c;
    c.client_id = client;
    c.tokens = Tokens(/*refresh=*/false);
    c.tokens.access_ttl_seconds = 60 * (i + 1);
    c.audit.type = "oauth.token_issued";
    c.audit.details_json = "{}";
    batch.push_back(c);
  }
  auto issued = Db().Tokens().IssueClientCredentials(batch);
  ASSERT_EQ(issued.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(issued[i].expires_in, 60 * (i + 1), 1) << i;
    EXPECT_TRUE(Db().Tokens().AccessTokenStored(batch[i].tokens.access_hash)) << i;
  }
  EXPECT_NE(issued[0].family_id, issued[1].family_id);
  EXPECT_FALSE(Db().Tokens().AccessTokenStored(Hash()));
}

TEST_F(TokenStore, AGrantRevokedByItsUserIsAuditedAndAnotherUsersAttemptChangesNothing) {
  Family f = NewFamily();
  std::string owner = Db().Tokens().FindRefreshToken(f.first.refresh_hash)->user_id.value();
  std::string stranger = NewUser();
  EXPECT_FALSE(Db().Tokens().RevokeGrantForUser(stranger, f.refresh.family_id,
                                                Audit("grant.revoked", stranger)));
  EXPECT_TRUE(Db().Tokens().FindActiveAccessToken(f.first.access_hash));
  EXPECT_TRUE(
      Db().Tokens().RevokeGrantForUser(owner, f.refresh.family_id, Audit("grant.revoked", owner)));
  EXPECT_FALSE(Db().Tokens().FindActiveAccessToken(f.first.access_hash));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE type = 'grant.revoked'"), 1);
}

}  // namespace
}  // namespace oakgate::test
