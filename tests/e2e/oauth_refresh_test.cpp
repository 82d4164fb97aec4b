// The refresh_token grant: rotation, reuse detection with family revocation, concurrency,
// absolute family expiry, scope narrowing, and the refresh_grace window.
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";
using nlohmann::json;

class OAuthRefreshE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    // A second gateway on the same database with a grace window.
    grace_gw_ = new GatewayProcess(db_->url(), {{"OAKGATE_REFRESH_GRACE", "30"}});
    CreateUser(*gw_, "alice@example.com", kPassword);
    app_ = new TestClient(CreateClient(*gw_, "app", "https://app.example/cb",
                                       {"--first-party", "--scopes", "keys agents"}));
    other_ =
        new TestClient(CreateClient(*gw_, "other", "https://other.example/cb", {"--first-party"}));
    rs_ = new TestClient(CreateClient(
        *gw_, "rs", "", {"--confidential", "--introspect", "--grant-types", "client_credentials"}));
    session_ = new std::string(LoginSession(gw_->port(), "alice@example.com", kPassword));
  }
  static void TearDownTestSuite() {
    delete session_;
    delete app_;
    delete other_;
    delete rs_;
    delete grace_gw_;
    delete gw_;
    delete db_;
  }
  static int port() { return gw_->port(); }
  // A fresh grant: {access_token, refresh_token}.
  static json Grant(const std::string& scope = "keys agents") {
    Pkce pkce = NewPkce();
    std::string code = AuthorizeCode(port(), *app_, *session_, pkce, scope);
    auto r = RedeemCode(port(), *app_, code, pkce.verifier);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
  static bool Active(const std::string& token, const TestClient* as = nullptr) {
    return json::parse(IntrospectToken(port(), as ? *as : *rs_, token).body)["active"];
  }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static GatewayProcess* grace_gw_;
  static TestClient* app_;
  static TestClient* other_;
  static TestClient* rs_;
  static std::string* session_;
};

TestDatabase* OAuthRefreshE2E::db_ = nullptr;
GatewayProcess* OAuthRefreshE2E::gw_ = nullptr;
GatewayProcess* OAuthRefreshE2E::grace_gw_ = nullptr;
TestClient* OAuthRefreshE2E::app_ = nullptr;
TestClient* OAuthRefreshE2E::other_ = nullptr;
TestClient* OAuthRefreshE2E::rs_ = nullptr;
std::string* OAuthRefreshE2E::session_ = nullptr;

TEST_F(OAuthRefreshE2E, EveryUseRotates) {
  json g = Grant();
  std::string refresh = g["refresh_token"];
  for (int i = 0; i < 3; ++i) {
    auto r = Refresh(port(), *app_, refresh);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("cache-control"), "no-store");
    json t = json::parse(r.body);
    EXPECT_NE(t["refresh_token"], refresh);
    EXPECT_EQ(t["scope"], "keys agents");
    EXPECT_TRUE(Active(t["access_token"]));
    refresh = t["refresh_token"];
  }
}

TEST_F(OAuthRefreshE2E, ReusingARetiredTokenRevokesTheWholeFamily) {
  json g = Grant();
  auto first = Refresh(port(), *app_, g["refresh_token"]);
  ASSERT_EQ(first.status, 200);
  json t = json::parse(first.body);
  // Introspected once, so this instance holds it as active in its cache.
  EXPECT_TRUE(Active(t["access_token"]));
  auto reuse = Refresh(port(), *app_, g["refresh_token"]);
  EXPECT_EQ(reuse.status, 400);
  EXPECT_EQ(json::parse(reuse.body)["error"], "invalid_grant");
  // Every token of the family: the first access token, the rotated ones. The reuse answer
  // came only once this instance's cache had dropped them (no wait for the NOTIFY here).
  EXPECT_FALSE(Active(g["access_token"]));
  EXPECT_FALSE(Active(t["access_token"]));
  EXPECT_EQ(Refresh(port(), *app_, t["refresh_token"]).status, 400);
  EXPECT_NE(
      db_->Scalar("SELECT count(*) FROM audit_events WHERE type = 'oauth.refresh_reuse_detected'"),
      "0");
}

// The other side (T48): a refusal that revoked nothing sends no NOTIFY to every instance.
// Our own NOTIFY afterwards is the fence: notifications arrive in commit order, and the
// gateway commits any of its own before it answers.
TEST_F(OAuthRefreshE2E, RefusalsThatRevokeNothingSendNoNotification) {
  json g = Grant();  // before listening: signing in may notify
  struct Receiver : pqxx::notification_receiver {
    Receiver(pqxx::connection_base& c, std::vector<std::string>& seen)
        : pqxx::notification_receiver(c, "oakgate_cache"), seen_(seen) {}
    void operator()(const std::string& payload, int) override { seen_.push_back(payload); }
    std::vector<std::string>& seen_;
  };
  pqxx::connection conn(db_->url());
  std::vector<std::string> seen;
  Receiver receiver(conn, seen);
  EXPECT_EQ(Refresh(port(), *app_, "not-a-refresh-token").status, 400);
  EXPECT_EQ(Refresh(port(), *other_, g["refresh_token"]).status, 400);  // another client's
  EXPECT_EQ(PostForm(port(), "/oauth/token", {{"grant_type", "password"}, {"client_id", app_->id}})
                .status,
            400);
  EXPECT_EQ(PostForm(port(), "/oauth/token", {{"grant_type", "client_credentials"}},
                     {{"Authorization", BasicAuth(rs_->id, "wrong")}}, "127.0.0.93")
                .status,
            401);
  pqxx::nontransaction(conn).exec0("NOTIFY oakgate_cache, 'fence'");
  for (int i = 0; i < 50 && std::find(seen.begin(), seen.end(), "fence") == seen.end(); ++i) {
    conn.await_notification(0, 100000);
  }
  EXPECT_EQ(seen, std::vector<std::string>{"fence"});
}

TEST_F(OAuthRefreshE2E, AnotherClientsRefreshTokenIsInvalidGrantAndRevokesNothing) {
  json g = Grant();
  auto r = Refresh(port(), *other_, g["refresh_token"]);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "invalid_grant");
  EXPECT_TRUE(Active(g["access_token"]));
  EXPECT_EQ(Refresh(port(), *app_, g["refresh_token"]).status, 200);
}

TEST_F(OAuthRefreshE2E, FiveConcurrentRefreshesHaveExactlyOneWinner) {
  for (int round = 0; round < 3; ++round) {
    json g = Grant();
    std::vector<std::future<HttpResponse>> futures;
    for (int i = 0; i < 5; ++i) {
      futures.push_back(std::async(std::launch::async,
                                   [&] { return Refresh(port(), *app_, g["refresh_token"]); }));
    }
    int wins = 0;
    for (auto& f : futures) {
      auto r = f.get();
      if (r.status == 200) {
        ++wins;
      } else {
        EXPECT_EQ(r.status, 400) << r.body;
        EXPECT_EQ(json::parse(r.body)["error"], "invalid_grant");
      }
    }
    EXPECT_EQ(wins, 1);
  }
}

TEST_F(OAuthRefreshE2E, NarrowerScopeNarrowsOnlyTheAccessToken) {
  json g = Grant();
  auto r = Refresh(port(), *app_, g["refresh_token"], "keys");
  ASSERT_EQ(r.status, 200) << r.body;
  json t = json::parse(r.body);
  EXPECT_EQ(t["scope"], "keys");
  EXPECT_EQ(json::parse(IntrospectToken(port(), *rs_, t["access_token"]).body)["scope"], "keys");
  // The new refresh token keeps the family's scope.
  auto again = Refresh(port(), *app_, t["refresh_token"]);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["scope"], "keys agents");
  // Wider than the grant: invalid_scope, and the token is not spent.
  json g2 = Grant("keys");
  auto wider = Refresh(port(), *app_, g2["refresh_token"], "keys agents");
  EXPECT_EQ(wider.status, 400);
  EXPECT_EQ(json::parse(wider.body)["error"], "invalid_scope");
  EXPECT_EQ(Refresh(port(), *app_, g2["refresh_token"]).status, 200);
}

TEST_F(OAuthRefreshE2E, RotationNeverExtendsTheFamilysAbsoluteExpiry) {
  json g = Grant();
  std::string expires_before = db_->Scalar(
      "SELECT f.expires_at FROM token_families f JOIN refresh_tokens r ON r.family_id = f.id"
      " WHERE r.token_hash = sha256('" +
      g["refresh_token"].get<std::string>() + "'::bytea)");
  auto r = Refresh(port(), *app_, g["refresh_token"]);
  ASSERT_EQ(r.status, 200);
  std::string next = json::parse(r.body)["refresh_token"];
  std::string family_sql =
      "SELECT f.id FROM token_families f JOIN refresh_tokens r ON r.family_id = f.id"
      " WHERE r.token_hash = sha256('" +
      next + "'::bytea)";
  EXPECT_EQ(db_->Scalar("SELECT expires_at FROM token_families WHERE id = (" + family_sql + ")"),
            expires_before);
  // Past its absolute expiry the family refreshes no more.
  db_->Scalar("UPDATE token_families SET expires_at = now() - interval '1 second' WHERE id = (" +
              family_sql + ")");
  EXPECT_EQ(Refresh(port(), *app_, next).status, 400);
}

// RFC 9700 §4.14.2 (G5): refresh_idle_ttl (14 days by default). Time is moved in the database.
class RefreshIdleE2E : public OAuthRefreshE2E {
 protected:
  static void SetUpTestSuite() {
    OAuthRefreshE2E::SetUpTestSuite();
    // Confidential and allowed to introspect: it may read its own refresh tokens back.
    confidential_ = new TestClient(
        CreateClient(*gw_, "idle-app", "https://idle.example/cb",
                     {"--first-party", "--confidential", "--introspect", "--scopes", "keys"}));
    off_gw_ = new GatewayProcess(db_->url(), {{"OAKGATE_REFRESH_IDLE_TTL", "0"}});
  }
  static void TearDownTestSuite() {
    delete off_gw_;
    delete confidential_;
    OAuthRefreshE2E::TearDownTestSuite();
  }
  static json GrantOn(int on_port) {
    Pkce pkce = NewPkce();
    std::string code = AuthorizeCode(on_port, *confidential_, *session_, pkce, "keys");
    auto r = RedeemCode(on_port, *confidential_, code, pkce.verifier);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
  static json Introspect(const std::string& refresh) {
    auto r = IntrospectToken(port(), *confidential_, refresh);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
  // Runs `sql` on the family of this refresh token ("SET ..." of token_families).
  static void Family(const std::string& refresh, const std::string& set) {
    db_->Scalar("UPDATE token_families SET " + set +
                " WHERE id = (SELECT family_id FROM refresh_tokens WHERE token_hash = sha256('" +
                refresh + "'::bytea))");
  }
  static int64_t Now() {
    return std::stoll(db_->Scalar("SELECT extract(epoch FROM now())::bigint"));
  }
  static inline TestClient* confidential_ = nullptr;
  static inline GatewayProcess* off_gw_ = nullptr;
};

TEST_F(RefreshIdleE2E, AFamilyUnusedForFourteenDaysIsInvalidGrantAndInactive) {
  std::string refresh = GrantOn(port())["refresh_token"];
  ASSERT_EQ(Introspect(refresh)["active"], true);
  Family(refresh, "last_used_at = now() - interval '14 days 1 second'");
  EXPECT_EQ(Introspect(refresh)["active"], false);
  auto r = Refresh(port(), *confidential_, refresh);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"], "invalid_grant");
  // The public client's refresh goes through the rotations' batch: refused there too.
  json g = Grant();
  Family(g["refresh_token"], "last_used_at = now() - interval '14 days 1 second'");
  auto batched = Refresh(port(), *app_, g["refresh_token"]);
  EXPECT_EQ(batched.status, 400) << batched.body;
  EXPECT_EQ(json::parse(batched.body)["error"], "invalid_grant");
}

TEST_F(RefreshIdleE2E, RotationMovesTheIdleLimitOnButNeverPastTheAbsoluteExpiry) {
  std::string refresh = GrantOn(port())["refresh_token"];
  Family(refresh, "last_used_at = now() - interval '13 days 23 hours'");
  EXPECT_LE(Introspect(refresh)["exp"].get<int64_t>(), Now() + 3600 + 5)
      << "the idle limit is the nearer end";
  auto r = Refresh(port(), *confidential_, refresh);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string next = json::parse(r.body)["refresh_token"];
  json live = Introspect(next);
  EXPECT_EQ(live["active"], true);
  EXPECT_GE(live["exp"].get<int64_t>(), Now() + 14 * 86400 - 60) << "fourteen days from now";

  // With its absolute expiry an hour away, a rotation still ends the family then.
  Family(next, "expires_at = now() + interval '1 hour'");
  int64_t absolute = Now() + 3600;
  r = Refresh(port(), *confidential_, next);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string last = json::parse(r.body)["refresh_token"];
  EXPECT_LE(Introspect(last)["exp"].get<int64_t>(), absolute + 1);
  Family(last, "expires_at = now() - interval '1 second'");
  EXPECT_EQ(Introspect(last)["active"], false);
  EXPECT_EQ(Refresh(port(), *confidential_, last).status, 400);
}

TEST_F(RefreshIdleE2E, ZeroTurnsTheIdleLimitOff) {
  std::string refresh = GrantOn(off_gw_->port())["refresh_token"];
  Family(refresh,
         "last_used_at = now() - interval '100 days', expires_at = now() + interval '1 day'");
  EXPECT_EQ(Introspect(refresh)["active"], true);
  EXPECT_EQ(Refresh(off_gw_->port(), *confidential_, refresh).status, 200);
}

TEST_F(OAuthRefreshE2E, WithinGraceARetiredTokenRotatesAgainAndRetiresTheUnusedChild) {
  int gport = grace_gw_->port();
  json g = Grant();
  auto first = Refresh(gport, *app_, g["refresh_token"]);
  ASSERT_EQ(first.status, 200) << first.body;
  std::string lost_child = json::parse(first.body)["refresh_token"];
  // The response was "lost": the client retries with the old token.
  auto retry = Refresh(gport, *app_, g["refresh_token"]);
  ASSERT_EQ(retry.status, 200) << retry.body;
  json t = json::parse(retry.body);
  EXPECT_NE(t["refresh_token"], lost_child);
  EXPECT_TRUE(Active(t["access_token"]));
  EXPECT_EQ(db_->Scalar("SELECT revoked_at IS NOT NULL FROM refresh_tokens WHERE token_hash ="
                        " sha256('" +
                        lost_child + "'::bytea)"),
            "t")
      << "the unused child is retired";
  EXPECT_EQ(Refresh(gport, *app_, t["refresh_token"]).status, 200);
  // Once the child has been used, the old token is reuse even within the grace window.
  auto reuse = Refresh(gport, *app_, g["refresh_token"]);
  EXPECT_EQ(reuse.status, 400);
  EXPECT_FALSE(Active(t["access_token"]));
}

TEST_F(OAuthRefreshE2E, GraceEndsWithItsWindow) {
  int gport = grace_gw_->port();
  json g = Grant();
  ASSERT_EQ(Refresh(gport, *app_, g["refresh_token"]).status, 200);
  db_->Scalar(
      "UPDATE refresh_tokens SET used_at = now() - interval '31 seconds'"
      " WHERE token_hash = sha256('" +
      g["refresh_token"].get<std::string>() + "'::bytea)");
  EXPECT_EQ(Refresh(gport, *app_, g["refresh_token"]).status, 400);
}

}  // namespace
}  // namespace oakgate::test
