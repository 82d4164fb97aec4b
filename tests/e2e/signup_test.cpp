// Self-service sign-up (CONTRACT §9) against the real binary and PostgreSQL: the modes off,
// invite and open, the password rules, throttling per address, and no account enumeration.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/teams.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "a sign-up password of mine";

class SignupE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    // Three instances on one database, one per mode.
    off_ = new GatewayProcess(db_->url(), {{"OAKGATE_SIGNUP", "off"}});
    invite_ = new GatewayProcess(db_->url());  // the default
    open_ = new GatewayProcess(db_->url(), {{"OAKGATE_SIGNUP", "open"}});
    owner_ = new TeamUser(MakeTeamUser(invite_->env(), db_->url(), "owner@example.com"));
    MakeOrg(invite_->port(), *owner_, "Team", "team");
  }
  static void TearDownTestSuite() {
    delete owner_;
    delete open_;
    delete invite_;
    delete off_;
    delete db_;
  }
  // Each test starts with no throttling history (the suite shares 127.0.0.1).
  void SetUp() override { db_->Scalar("DELETE FROM login_failures"); }

  static std::string Users(const std::string& email) {
    return db_->Scalar("SELECT count(*) FROM users WHERE email_normalized = '" + email + "'");
  }
  static std::string Invite(const std::string& email, const std::string& role = "member") {
    auto r = CallApi(invite_->port(), "POST", "/api/v1/orgs/team/invitations", owner_->token,
                     {{"email", email}, {"role", role}});
    EXPECT_EQ(r.status, 201) << r.raw.body;
    return InvitationToken(r.body.value("invite_url", ""));
  }
  static TestDatabase* db_;
  static GatewayProcess* off_;
  static GatewayProcess* invite_;
  static GatewayProcess* open_;
  static TeamUser* owner_;
};

TestDatabase* SignupE2E::db_ = nullptr;
GatewayProcess* SignupE2E::off_ = nullptr;
GatewayProcess* SignupE2E::invite_ = nullptr;
GatewayProcess* SignupE2E::open_ = nullptr;
TeamUser* SignupE2E::owner_ = nullptr;

TEST_F(SignupE2E, WithSignUpOffNobodyCanMakeAnAccountEvenWithAnInvitation) {
  std::string token = Invite("closed@example.com");
  EXPECT_EQ(Fetch(off_->port(), "GET", "/web/signup").status, 404);
  EXPECT_EQ(Fetch(off_->port(), "GET", "/web/signup?invitation=" + token).status, 404);
  EXPECT_EQ(SignUp(off_->port(), "closed@example.com", kPassword, token).status, 404);
  EXPECT_EQ(Users("closed@example.com"), "0");
}

TEST_F(SignupE2E, InInviteModeOnlyTheInvitedAddressCanSignUp) {
  auto page = Fetch(invite_->port(), "GET", "/web/signup");
  EXPECT_EQ(page.status, 403) << "no invitation, no form";
  EXPECT_EQ(SignUp(invite_->port(), "walkin@example.com", kPassword).status, 403);
  EXPECT_EQ(Users("walkin@example.com"), "0");

  std::string token = Invite("Invited@Example.com", "admin");
  auto form = Fetch(invite_->port(), "GET", "/web/signup?invitation=" + token);
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("Team"), std::string::npos) << "the page names the organization";
  EXPECT_NE(form.body.find("admin"), std::string::npos) << "and the role";
  auto other = SignUp(invite_->port(), "someone.else@example.com", kPassword, token);
  EXPECT_EQ(other.status, 400);
  EXPECT_NE(other.body.find("Invited@Example.com"), std::string::npos) << other.body;
  EXPECT_EQ(Users("someone.else@example.com"), "0");

  auto ok = SignUp(invite_->port(), "invited@example.com", kPassword, token);
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(ok.Header("location"),
            "/web/login?signed_up=1&return_to=%2Fweb%2Finvitations%2F" + token)
      << "on to sign in, then back to the invitation";
  EXPECT_EQ(Users("invited@example.com"), "1");
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM organizations o JOIN users u ON u.id = "
                        "o.personal_user_id WHERE u.email_normalized = 'invited@example.com'"),
            "1")
      << "the new account has its personal organization";
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM org_invitations WHERE accepted_at IS NOT NULL"), "0")
      << "signing up does not accept the invitation: the signed-in user does, on its page";
}

TEST_F(SignupE2E, InOpenModeAnyoneSignsUpAndThenSignsInWithThePasswordChosen) {
  auto page = Fetch(open_->port(), "GET", "/web/signup");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("x-frame-options"), "DENY");
  auto r = SignUp(open_->port(), "Newcomer@Example.com", kPassword);
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.Header("location"), "/web/login?signed_up=1&return_to=%2F");
  EXPECT_TRUE(r.Headers("set-cookie").empty()) << "sign-up itself starts no session";
  auto login = Fetch(open_->port(), "GET", r.Header("location").value_or(""));
  EXPECT_NE(login.body.find("sign in with the password you chose"), std::string::npos);
  EXPECT_FALSE(LoginSession(open_->port(), "newcomer@example.com", kPassword).empty());
}

TEST_F(SignupE2E, ARegisteredEmailGetsTheSameAnswerInSimilarTimeAndNoSecondAccount) {
  ASSERT_EQ(SignUp(open_->port(), "taken@example.com", kPassword).status, 303);
  std::string hash =
      db_->Scalar("SELECT password_hash FROM users WHERE email_normalized = 'taken@example.com'");
  using Clock = std::chrono::steady_clock;
  std::vector<double> fresh, taken;
  HttpResponse last_fresh, last_taken;
  for (int i = 0; i < 3; ++i) {
    auto t0 = Clock::now();
    last_fresh = SignUp(open_->port(), "fresh" + std::to_string(i) + "@example.com",
                        "another long password", "", "127.0.0.11");
    fresh.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    t0 = Clock::now();
    last_taken =
        SignUp(open_->port(), "Taken@Example.com", "another long password", "", "127.0.0.11");
    taken.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  EXPECT_EQ(last_taken.status, last_fresh.status);
  EXPECT_EQ(last_taken.Header("location"), last_fresh.Header("location"));
  EXPECT_EQ(last_taken.body, last_fresh.body);
  EXPECT_EQ(last_taken.Headers("set-cookie"), last_fresh.Headers("set-cookie"));
  EXPECT_EQ(Users("taken@example.com"), "1") << "no second account";
  EXPECT_EQ(
      db_->Scalar("SELECT password_hash FROM users WHERE email_normalized = 'taken@example.com'"),
      hash)
      << "and the first one's password stays";
  std::sort(fresh.begin(), fresh.end());
  std::sort(taken.begin(), taken.end());
  // Both run the scrypt hash; a missing hash would be ~100x faster. Generous under load.
  double ratio = taken[1] / fresh[1];
  EXPECT_GT(ratio, 0.33) << "registered " << taken[1] << " s, new " << fresh[1] << " s";
  EXPECT_LT(ratio, 3.0) << "registered " << taken[1] << " s, new " << fresh[1] << " s";
}

TEST_F(SignupE2E, AWeakPasswordIsRefusedNamingTheRuleAndMakesNoAccount) {
  struct Case {
    const char* password;
    const char* names;
  };
  for (const Case& c :
       {Case{"too short", "at least 12 characters"}, Case{"Weak.Signup.User@example.com", "email"},
        Case{"weak.signup.user", "email"}, Case{"Unbelievable", "most common"}}) {
    auto r = SignUp(open_->port(), "weak.signup.user@example.com", c.password);
    EXPECT_EQ(r.status, 400) << c.password;
    EXPECT_NE(r.body.find(c.names), std::string::npos) << c.password;
  }
  EXPECT_EQ(Users("weak.signup.user@example.com"), "0");
}

TEST_F(SignupE2E, AFormWithoutItsCsrfTokenMakesNoAccount) {
  auto r = Fetch(open_->port(), "POST", "/web/signup",
                 {{"Content-Type", "application/x-www-form-urlencoded"}},
                 FormEncode({{"email", "forged@example.com"}, {"password", kPassword}}));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Users("forged@example.com"), "0");
}

TEST_F(SignupE2E, OneAddressIsThrottledAfterTenAttemptsWhileOthersGoOn) {
  for (int i = 0; i < 10; ++i) {
    auto r = SignUp(open_->port(), "burst" + std::to_string(i) + "@example.com", kPassword, "",
                    "127.0.0.21");
    ASSERT_EQ(r.status, 303) << i;
  }
  auto refused = SignUp(open_->port(), "burst10@example.com", kPassword, "", "127.0.0.21");
  EXPECT_EQ(refused.status, 429);
  int retry = std::stoi(refused.Header("retry-after").value_or("0"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 900);
  EXPECT_EQ(Users("burst10@example.com"), "0");
  EXPECT_EQ(SignUp(open_->port(), "elsewhere@example.com", kPassword, "", "127.0.0.22").status, 303)
      << "another address is not held back";
}

}  // namespace
}  // namespace oakgate::test
