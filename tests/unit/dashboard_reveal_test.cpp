// The dashboard's one-time slot seal (issue 29): a key sealed to a session cookie opens only
// with that cookie and key id, and the sealed bytes show nothing of the key.
#include <gtest/gtest.h>

#include "gateway/handlers/dashboard/reveal.hpp"

namespace oakgate::handlers::dashboard {
namespace {

const std::string kKey = "pk_AbCdEfGh01234567.sk_" + std::string(43, 'x');
const std::string kCookie = "cookie-value-from-a-csprng-0123456789abcdefghijk";

TEST(DashboardReveal, ASealedKeyOpensWithItsCookieAndKeyId) {
  std::string sealed = SealReveal(kCookie, "pk_AbCdEfGh01234567", kKey);
  EXPECT_EQ(sealed.size(), 32 + kKey.size());
  EXPECT_EQ(OpenReveal(kCookie, "pk_AbCdEfGh01234567", sealed), kKey);
}

TEST(DashboardReveal, TheSealedBytesHoldNoPartOfTheKey) {
  std::string sealed = SealReveal(kCookie, "pk_AbCdEfGh01234567", kKey);
  EXPECT_EQ(sealed.find("pk_"), std::string::npos);
  EXPECT_EQ(sealed.find(".sk_"), std::string::npos);
  EXPECT_EQ(sealed.find("xxxx"), std::string::npos);
  // The stream differs per key id: the same key under two ids seals differently.
  EXPECT_NE(SealReveal(kCookie, "pk_AbCdEfGh01234567", kKey).substr(32),
            SealReveal(kCookie, "pk_AbCdEfGh01234568", kKey).substr(32));
}

TEST(DashboardReveal, AnotherCookieAnotherKeyIdOrAnAlteredSlotOpensNothing) {
  std::string sealed = SealReveal(kCookie, "pk_AbCdEfGh01234567", kKey);
  EXPECT_EQ(OpenReveal(kCookie + "x", "pk_AbCdEfGh01234567", sealed), std::nullopt);
  EXPECT_EQ(OpenReveal(kCookie, "pk_AbCdEfGh01234568", sealed), std::nullopt);
  EXPECT_EQ(OpenReveal("", "pk_AbCdEfGh01234567", sealed), std::nullopt);
  std::string altered = sealed;
  altered[40] = static_cast<char>(altered[40] ^ 1);
  EXPECT_EQ(OpenReveal(kCookie, "pk_AbCdEfGh01234567", altered), std::nullopt);
  EXPECT_EQ(OpenReveal(kCookie, "pk_AbCdEfGh01234567", sealed.substr(0, 40)), std::nullopt);
  EXPECT_EQ(OpenReveal(kCookie, "pk_AbCdEfGh01234567", sealed.substr(0, 32)), std::nullopt);
  EXPECT_EQ(OpenReveal(kCookie, "pk_AbCdEfGh01234567", ""), std::nullopt);
  EXPECT_EQ(OpenReveal(kCookie, "pk_AbCdEfGh01234567", std::string(2000, 'a')), std::nullopt);
}

}  // namespace
}  // namespace oakgate::handlers::dashboard
