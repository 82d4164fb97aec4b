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

TEST(LogScrub, RedactsTheValuesOfFieldsThatCarrySecretsWhateverTheyLookLike) {
  EXPECT_EQ(Scrub("password=hunter2&email=a@example.com"),
            "password=[redacted]&email=a@example.com");
  EXPECT_EQ(Scrub(R"({"client_secret":"short", "name":"x"})"),
            R"({"client_secret":"[redacted]", "name":"x"})");
  EXPECT_EQ(Scrub("code_verifier=abc.def~ghi-jkl"), "code_verifier=[redacted]");
  EXPECT_EQ(Scrub("Authorization: Bearer abc123"), "Authorization: Bearer [redacted]");
  EXPECT_EQ(Scrub("Cookie: __Host-oakgate_session=abc; theme=dark"),
            "Cookie: __Host-oakgate_session=[redacted]; theme=dark");
  EXPECT_EQ(Scrub("csrf=x1"), "csrf=[redacted]");
  EXPECT_EQ(Scrub("whsec_abcdefghij"), "whsec_[redacted]");
  EXPECT_EQ(Scrub("sk_short1"), "sk_[redacted]");
}

TEST(LogScrub, OrdinaryIdentifiersSurviveHoweverLongTheyAre) {
  for (const char* kept : {
           "0007_audience_trigger_only_for_old_inserts.sql",
           "0012_organizations_expand_personal_organizations_for_existing_users.sql",
           "refresh_token_retire_unused_child_of_the_family_when_grace_applies",
           "grant_type=refresh_token",
           "token_type_hint=access_token",
           "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
           "oakgate.decisions.commit_seconds_bucket_for_the_decision_log_writer",
           "the code was used",
           "invalid token: malformed",
       }) {
    EXPECT_EQ(Scrub(kept), kept);
  }
  auto j = nlohmann::json::parse(
      FormatLine("info", "migration applied",
                 {{"version", "0007_audience_trigger_only_for_old_inserts.sql"}}));
  EXPECT_EQ(j["version"], "0007_audience_trigger_only_for_old_inserts.sql");
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
