// Log lines: one JSON object, and no secret-shaped value survives in any field.
#include "gateway/observe/log.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace oakgate::observe {
namespace {

constexpr const char* kRandom = "Qm9vcmF5LXRoaXMtaXMtYS1zZWNyZXQtdmFsdWUx3Z9";  // 43 characters

TEST(LogScrub, RedactsSecretShapedRunsAndKeepsTokenPrefixes) {
  std::string r = kRandom;
  EXPECT_EQ(Scrub("code " + r), "code [redacted]");
  EXPECT_EQ(Scrub("oat_" + r), "oat_[redacted]");
  EXPECT_EQ(Scrub("ort_" + r + " then"), "ort_[redacted] then");
  EXPECT_EQ(Scrub("pk_0123456789abcdef.sk_" + r), "pk_0123456789abcdef.sk_[redacted]");
  EXPECT_EQ(Scrub("oakgate_session=" + r + "; x=1"), "oakgate_session=[redacted]; x=1");
  EXPECT_EQ(Scrub("/cb?code=" + r + "&state=" + r), "/cb?code=[redacted]&state=[redacted]");
}

TEST(LogScrub, KeepsIdsWordsAndAddresses) {
  for (const char* kept :
       {"0b7c2f9e-4d1a-4c3b-9e8f-1a2b3c4d5e6f", "idle_in_transaction_session_timeout",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "pk_0123456789abcdef",
        "/api/v1/agents/{id}/rules", "203.0.113.9", "request failed: connection refused"}) {
    EXPECT_EQ(Scrub(kept), kept);
  }
}

TEST(LogScrub, EveryFieldOfALineGoesThroughIt) {
  auto j = nlohmann::json::parse(
      FormatLine("warn", std::string("bad ") + kRandom, {{"detail", std::string("x ") + kRandom}}));
  EXPECT_EQ(j["msg"], "bad [redacted]");
  EXPECT_EQ(j["detail"], "x [redacted]");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_TRUE(j.contains("ts"));
}

}  // namespace
}  // namespace oakgate::observe
