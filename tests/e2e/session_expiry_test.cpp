// Sessions end after session_ttl in all and after session_idle_ttl without use (CONTRACT §3).
// Time is moved in the database rather than waited for.
#include <gtest/gtest.h>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "a long enough password";

class SessionExpiryE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url(), {{"OAKGATE_SESSION_IDLE_TTL", "600"}});
  }
  static void TearDownTestSuite() {
    delete gw_;
    delete db_;
  }
  // A new user and a signed-in session; returns the cookie value.
  std::string SignIn(const std::string& email) {
    auto r = RunOakgate({"user", "create", "--email", email, "--password-stdin"}, gw_->env(),
                        std::string(kPassword) + "\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string cookie = LoginSession(gw_->port(), email, kPassword);
    return cookie.substr(cookie.find('=') + 1);
  }
  int Home(const std::string& value) {
    return Fetch(gw_->port(), "GET", "/", {{"Cookie", "oakgate_session=" + value}}).status;
  }
  static std::string Where(const std::string& value) {
    return " WHERE token_hash = sha256(convert_to('" + value + "', 'UTF8'))";
  }
  static TestDatabase* db_;
  static GatewayProcess* gw_;
};

TestDatabase* SessionExpiryE2E::db_ = nullptr;
GatewayProcess* SessionExpiryE2E::gw_ = nullptr;

TEST_F(SessionExpiryE2E, IdleSessionEnds) {
  std::string value = SignIn("idle@example.com");
  ASSERT_EQ(Home(value), 200);
  db_->Scalar("UPDATE sessions SET idle_expires_at = now() - interval '1 second'" + Where(value));
  EXPECT_EQ(Home(value), 302) << "an idle session sends the browser back to the login page";
}

TEST_F(SessionExpiryE2E, UseMovesTheIdleExpiryButNeverPastTheAbsoluteOne) {
  std::string value = SignIn("busy@example.com");
  db_->Scalar("UPDATE sessions SET idle_expires_at = now() + interval '5 seconds'" + Where(value));
  ASSERT_EQ(Home(value), 200);
  EXPECT_EQ(db_->Scalar("SELECT idle_expires_at > now() + interval '500 seconds' FROM sessions" +
                        Where(value)),
            "t")
      << "a request moves the idle expiry session_idle_ttl ahead";
  db_->Scalar("UPDATE sessions SET expires_at = now() + interval '30 seconds'" + Where(value));
  ASSERT_EQ(Home(value), 200);
  EXPECT_EQ(db_->Scalar("SELECT idle_expires_at <= expires_at FROM sessions" + Where(value)), "t");
}

TEST_F(SessionExpiryE2E, SessionEndsAtItsAbsoluteExpiryEvenWhenInUse) {
  std::string value = SignIn("absolute@example.com");
  ASSERT_EQ(Home(value), 200);
  db_->Scalar("UPDATE sessions SET expires_at = now() - interval '1 second'" + Where(value));
  EXPECT_EQ(Home(value), 302);
}

TEST_F(SessionExpiryE2E, HundredFailuresForOneAccountFromAllAddressesBlockThatAccountOnly) {
  auto r = RunOakgate({"user", "create", "--email", "target@example.com", "--password-stdin"},
                      gw_->env(), std::string(kPassword) + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 100 failures from 100 addresses: no pair and no address is over its own limit.
  db_->Scalar(
      "INSERT INTO login_failures (account, client_address)"
      " SELECT 'target@example.com', '10.0.0.' || g FROM generate_series(1, 100) g");
  auto blocked = PostLogin(gw_->port(), FetchLoginForm(gw_->port(), "", "127.0.9.1"),
                           "target@example.com", kPassword, "", "127.0.9.1");
  EXPECT_EQ(blocked.status, 429);
  EXPECT_TRUE(blocked.Header("retry-after"));
  // The same address can still sign in to another account: nobody is locked out by proxy.
  SignIn("bystander@example.com");
  auto other = PostLogin(gw_->port(), FetchLoginForm(gw_->port(), "", "127.0.9.1"),
                         "bystander@example.com", kPassword, "", "127.0.9.1");
  EXPECT_EQ(other.status, 303);
}

}  // namespace
}  // namespace oakgate::test
