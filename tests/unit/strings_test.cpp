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

}  // namespace
}  // namespace oakgate
