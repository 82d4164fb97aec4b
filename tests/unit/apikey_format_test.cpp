#include <gtest/gtest.h>

#include "gateway/apikey/key_format.hpp"
#include "gateway/crypto/sha256.hpp"
#include "gateway/handlers/api/decisions.hpp"

namespace oakgate::apikey {
namespace {

const std::string kId = "pk_AbCdEfGh12345678";
const std::string kSecret = "sk_" + std::string(43, 'a');

TEST(ApiKeyFormat, AcceptsTheContractShapeAndReturnsTheKeyId) {
  auto id = ParseKeyId(kId + "." + kSecret);
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, kId);
  EXPECT_TRUE(ParseKeyId(kId + ".sk_" + std::string(21, '-') + std::string(22, '_')));
}

TEST(ApiKeyFormat, RefusesEveryMalformedShape) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"bad prefix", "pX_AbCdEfGh12345678." + kSecret},
      {"upper-case prefix", "PK_AbCdEfGh12345678." + kSecret},
      {"missing dot", kId + kSecret},
      {"other separator", kId + ":" + kSecret},
      {"bad secret prefix", kId + ".sx_" + std::string(43, 'a')},
      {"id too short", "pk_AbCdEfGh1234567." + kSecret},
      {"id too long", "pk_AbCdEfGh123456789." + kSecret},
      {"secret too short", kId + ".sk_" + std::string(42, 'a')},
      {"secret too long", kId + ".sk_" + std::string(44, 'a')},
      {"bad id character", "pk_AbCdEfGh1234567-." + kSecret},
      {"bad secret character", kId + ".sk_" + std::string(42, 'a') + "="},
      {"space in secret", kId + ".sk_" + std::string(42, 'a') + " "},
      {"an access token", "oat_" + std::string(43, 'a')},
      {"key id only", kId},
  };
  for (const auto& [what, text] : cases) EXPECT_FALSE(ParseKeyId(text)) << what;
}

TEST(ApiKeyFormat, GeneratedKeysParseAndHashTheWholeKey) {
  GeneratedKey a = GenerateKey(), b = GenerateKey();
  auto id = ParseKeyId(a.key.Reveal());
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, a.key_id);
  EXPECT_TRUE(IsKeyId(a.key_id));
  EXPECT_EQ(a.hash, crypto::Sha256(a.key.Reveal()));
  EXPECT_NE(a.key.Reveal(), b.key.Reveal());
  EXPECT_NE(a.key_id, b.key_id);
}

TEST(Rfc3339, ParsesUtcOffsetsAndFractions) {
  using handlers::api::ParseRfc3339;
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2026-11-24T22:10:30Z"), 1795558230);
  EXPECT_EQ(ParseRfc3339("2026-11-24T23:10:30.123+01:00"), 1795558230);
  EXPECT_EQ(ParseRfc3339("2026-11-24T21:10:30-01:00"), 1795558230);
  for (const char* bad : {"", "2026-11-24", "2026-11-24T22:10:30", "2026-13-01T00:00:00Z",
                          "2026-11-24T22:10:30Zjunk", "yesterday", "2026-11-24T22:10:30.Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace oakgate::apikey
