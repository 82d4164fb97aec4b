// Single use under concurrency: whatever may be redeemed once is redeemed by exactly one of
// many requests that race for it, and the losers write nothing.
#include <atomic>

#include "gateway/store/pg/pg_legacy_jwt_store.hpp"
#include "tests/store/store_test.hpp"

namespace oakgate::test {
namespace {

constexpr int kRacers = 8;

class SingleUse : public StoreTest {};

TEST_F(SingleUse, AnAuthorizationCodeIsRedeemedByExactlyOneOfManyConcurrentExchanges) {
  std::string user = NewUser(), client = NewClient();
  store::NewCode code;
  code.code_hash = Hash();
  code.client_id = client;
  code.user_id = user;
  code.redirect_uri = "https://app.example.test/cb";
  code.scopes = {"read"};
  code.code_challenge = "challenge";
  Db().Tokens().CreateCode(code);
  store::AuthorizationCode found = Db().Tokens().FindCode(code.code_hash).value();
  ASSERT_FALSE(found.used);

  std::atomic<int> winners{0};
  RunTogether(kRacers, [&](int) {
    if (Db().Tokens().RedeemCode(found, 3600, 0, Tokens())) ++winners;
  });

  EXPECT_EQ(winners.load(), 1);
  // The losers rolled back their families and tokens with their failed compare-and-set.
  EXPECT_EQ(Count("SELECT count(*) FROM token_families WHERE client_id = '" + client + "'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM access_tokens WHERE client_id = '" + client + "'"), 1);
  EXPECT_TRUE(Db().Tokens().FindCode(code.code_hash)->used);
  EXPECT_FALSE(Db().Tokens().RedeemCode(found, 3600, 0, Tokens()));
}

TEST_F(SingleUse, ARefreshTokenIsRotatedByExactlyOneOfManyConcurrentRefreshes) {
  std::string user = NewUser(), client = NewClient();
  store::NewCode code;
  code.code_hash = Hash();
  code.client_id = client;
  code.user_id = user;
  code.redirect_uri = "https://app.example.test/cb";
  code.code_challenge = "challenge";
  Db().Tokens().CreateCode(code);
  store::NewTokens first = Tokens();
  ASSERT_TRUE(
      Db().Tokens().RedeemCode(Db().Tokens().FindCode(code.code_hash).value(), 3600, 0, first));
  store::RefreshTokenRecord old = Db().Tokens().FindRefreshToken(first.refresh_hash).value();

  std::atomic<int> winners{0};
  RunTogether(kRacers, [&](int) {
    if (Db().Tokens().Rotate(old, Tokens())) ++winners;
  });

  EXPECT_EQ(winners.load(), 1);
  // The first token and the one child of the winner.
  EXPECT_EQ(Count("SELECT count(*) FROM refresh_tokens WHERE family_id = " +
                  std::to_string(old.family_id)),
            2);
  EXPECT_TRUE(Db().Tokens().FindRefreshToken(first.refresh_hash)->retired);
}

TEST_F(SingleUse, ADashboardRevealIsShownToExactlyOneOfManyConcurrentPages) {
  std::string user = NewUser();
  store::ApiKey key = NewKey(NewAgent(user));
  std::string session_hash = Hash();
  Db().Sessions().Create(session_hash, user, 3600, 600, "127.0.0.1", "test", {});
  int64_t session = Db().Sessions().FindActive(session_hash, 600).value().id;
  Db().Sessions().PutReveal(session, key.key_id, "sealed key bytes");

  std::atomic<int> shown{0};
  RunTogether(kRacers, [&](int) {
    auto sealed = Db().Sessions().TakeReveal(session, key.key_id);
    if (sealed) {
      EXPECT_EQ(*sealed, "sealed key bytes");
      ++shown;
    }
  });

  EXPECT_EQ(shown.load(), 1);
  EXPECT_FALSE(Db().Sessions().TakeReveal(session, key.key_id));
}

TEST_F(SingleUse, ALegacyJwtIsExchangedByExactlyOneOfManyConcurrentReplays) {
  std::string user = NewUser(), client = NewClient();
  store::pg::PgLegacyJwtStore legacy(Db());
  store::LegacyExchange e;
  e.replay_key = Hash();
  e.replay_expires_at = 4102444800;  // 2100-01-01
  e.client_id = client;
  e.user_id = user;
  e.scopes = {"read"};
  e.family_ttl_seconds = 3600;
  e.audit = Audit("token.legacy_exchange", user);

  std::atomic<int> winners{0};
  RunTogether(kRacers, [&](int) {
    store::LegacyExchange mine = e;
    mine.tokens = Tokens();
    if (legacy.Exchange(mine)) ++winners;
  });

  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM token_families WHERE client_id = '" + client + "'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE type = 'token.legacy_exchange'"
                  " AND user_id = '" +
                  user + "'"),
            1);
}

}  // namespace
}  // namespace oakgate::test
