// Small string helpers the stores rely on.
#include "gateway/util/strings.hpp"

#include <gtest/gtest.h>

#include "gateway/crypto/sha256.hpp"

namespace oakgate {
namespace {

// The hex the stores write for digests (decode(..., 'hex') on the other side).
TEST(Hex, IsLowerCaseTwoDigitsPerByteAndMatchesTheDigestsHex) {
  EXPECT_EQ(util::HexLower(std::string("\x00\x0f\xa0\xff", 4)), "000fa0ff");
  EXPECT_EQ(util::HexLower(""), "");
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  EXPECT_EQ(crypto::ToHex(crypto::Sha256("abc")), abc);
  EXPECT_EQ(util::HexLower(crypto::ToBytes(crypto::Sha256("abc"))), abc);
}

// Scopes, redirect URIs and grant types are stored as arrays that travel as this text.
TEST(List, JoinsWithSingleSpacesAndSplitsBackToTheSameItems) {
  const std::vector<std::vector<std::string>> cases = {
      {}, {"openid"}, {"read", "write", "agents:admin"}, {"https://a.test/cb?x=1", "app:/cb"}};
  for (const auto& items : cases) {
    EXPECT_EQ(util::SplitList(util::JoinList(items)), items);
  }
  EXPECT_EQ(util::JoinList({"a", "b", "c"}), "a b c");
  EXPECT_EQ(util::JoinList({}), "");
}

TEST(List, SplittingDropsEmptyPiecesFromExtraSpaces) {
  EXPECT_TRUE(util::SplitList("").empty());
  EXPECT_TRUE(util::SplitList("   ").empty());
  EXPECT_EQ(util::SplitList(" a  b "), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace oakgate
