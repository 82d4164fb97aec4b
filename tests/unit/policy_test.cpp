#include <gtest/gtest.h>

#include <list>

#include "gateway/config/config.hpp"
#include "gateway/policy/rules.hpp"
#include "gateway/policy/token_bucket.hpp"

namespace oakgate::policy {
namespace {

RuleSpec Rule(std::string id, std::string tool, std::string scope,
              Reasoning level = Reasoning::kNone) {
  return RuleSpec{std::move(id), std::move(tool), std::move(scope), level};
}

PolicyInput Input(std::vector<RuleSpec> rules, std::string_view tool = "github",
                  std::string_view scope = "read") {
  static std::list<std::vector<RuleSpec>> kept;  // the inputs point into these
  kept.push_back(std::move(rules));
  PolicyInput in;
  in.tool_known = true;
  in.tool_scopes = {"read", "write"};
  in.rules = &kept.back();
  in.tool = tool;
  in.scope = scope;
  return in;
}

TEST(PolicyRules, TheMostSpecificRuleDecides) {
  std::vector<RuleSpec> all = {Rule("any", "*", "*"), Rule("scope", "*", "read"),
                               Rule("tool", "github", "*"), Rule("exact", "github", "read")};
  EXPECT_EQ(MostSpecificRule(all, "github", "read")->id, "exact");
  EXPECT_EQ(MostSpecificRule(all, "github", "write")->id, "tool");
  EXPECT_EQ(MostSpecificRule(all, "slack", "read")->id, "scope");
  EXPECT_EQ(MostSpecificRule(all, "slack", "post")->id, "any");
  EXPECT_EQ(MostSpecificRule({Rule("other", "slack", "read")}, "github", "read"), nullptr);
}

TEST(PolicyRules, ChecksRunInTheContractOrder) {
  PolicyInput in = Input({Rule("r", "*", "*")});
  in.agent_enabled = false;
  in.tool_known = false;
  EXPECT_EQ(Evaluate(in).reason, DenyReason::kAgentDisabled);
  in.agent_enabled = true;
  EXPECT_EQ(Evaluate(in).reason, DenyReason::kUnknownTool) << "even with a * rule";
  in.tool_known = true;
  in.scope = "admin";
  EXPECT_EQ(Evaluate(in).reason, DenyReason::kUnknownScope);
  in.scope = "read";
  in.key_scopes = {"slack:*"};
  EXPECT_EQ(Evaluate(in).reason, DenyReason::kKeyScope);
  in.key_scopes = {"github:read"};
  const std::vector<RuleSpec> none, one = {Rule("r", "*", "*")};
  in.rules = &none;
  EXPECT_EQ(Evaluate(in).reason, DenyReason::kNoRule);
  in.rules = &one;
  Verdict v = Evaluate(in);
  EXPECT_TRUE(v.allowed);
  EXPECT_FALSE(v.reason);
  EXPECT_EQ(v.rule->id, "r");
}

TEST(PolicyRules, KeyScopesNarrowWithWildcardsOnEitherSide) {
  EXPECT_TRUE(KeyScopesAllow({}, "github", "read"));
  EXPECT_TRUE(KeyScopesAllow({"github:read"}, "github", "read"));
  EXPECT_TRUE(KeyScopesAllow({"github:*"}, "github", "write"));
  EXPECT_TRUE(KeyScopesAllow({"*:read"}, "slack", "read"));
  EXPECT_TRUE(KeyScopesAllow({"*:*"}, "x", "y"));
  EXPECT_FALSE(KeyScopesAllow({"github:read"}, "github", "write"));
  EXPECT_FALSE(KeyScopesAllow({"*:read", "slack:*"}, "github", "write"));
  EXPECT_TRUE(IsValidKeyScope("github:read"));
  EXPECT_TRUE(IsValidKeyScope("*:*"));
  for (const char* bad : {"github", ":read", "github:", "git hub:read", "a:b:c", "**:read"}) {
    EXPECT_FALSE(IsValidKeyScope(bad)) << bad;
  }
}

TEST(PolicyRules, ReasoningLevels) {
  struct Case {
    Reasoning level;
    std::string reasoning;
    bool allowed;
    bool warning;
    bool required;
    bool provided;
  };
  const Case cases[] = {
      {Reasoning::kNone, "", true, false, false, false},
      {Reasoning::kNone, "because", true, false, false, true},
      {Reasoning::kSoft, "", true, true, false, false},
      {Reasoning::kSoft, "because", true, false, false, true},
      {Reasoning::kHard, "", false, false, true, false},
      {Reasoning::kHard, " \t\n", false, false, true, false},
      {Reasoning::kHard, "because", true, false, true, true},
  };
  for (const auto& c : cases) {
    PolicyInput in = Input({Rule("r", "github", "read", c.level)});
    in.reasoning = c.reasoning;
    Verdict v = Evaluate(in);
    SCOPED_TRACE(std::string(ReasoningString(c.level)) + " '" + c.reasoning + "'");
    EXPECT_EQ(v.allowed, c.allowed);
    EXPECT_EQ(v.warning, c.warning);
    EXPECT_EQ(v.reasoning_required, c.required);
    EXPECT_EQ(v.reasoning_provided, c.provided);
    if (!c.allowed) {
      EXPECT_EQ(v.reason, DenyReason::kReasoningRequired);
    }
  }
  // The most specific rule's level applies, not the strictest.
  PolicyInput in =
      Input({Rule("hard", "*", "*", Reasoning::kHard), Rule("none", "github", "read")});
  EXPECT_TRUE(Evaluate(in).allowed);
}

TEST(PolicyRules, NamesAndLevels) {
  EXPECT_TRUE(IsValidName("github.read_v2-x"));
  EXPECT_FALSE(IsValidName(""));
  EXPECT_FALSE(IsValidName("*"));
  EXPECT_TRUE(IsValidRuleName("*"));
  EXPECT_FALSE(IsValidName(std::string(201, 'a')));
  EXPECT_TRUE(IsValidName(std::string(200, 'a')));
  EXPECT_FALSE(IsValidName("a b"));
  EXPECT_FALSE(IsValidName("é"));
  EXPECT_EQ(ParseReasoning("soft"), Reasoning::kSoft);
  EXPECT_FALSE(ParseReasoning("SOFT"));
  EXPECT_EQ(DenyReasonString(DenyReason::kKeyScope), "key_scope");
}

TEST(TokenBucket, StartsFullAndRefusesWhenEmpty) {
  BucketState s;
  for (int i = 0; i < 3; ++i) {
    BucketAnswer a = TakeToken(s, 60, 3, 1000);
    EXPECT_TRUE(a.allowed);
    EXPECT_EQ(a.limit, 3);
    EXPECT_EQ(a.remaining, 2 - i);
  }
  BucketAnswer refused = TakeToken(s, 60, 3, 1000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after, 1);  // 60 a minute: one token a second
  EXPECT_EQ(refused.reset, 1);
}

TEST(TokenBucket, RefillsAtTheRateAndNeverBeyondTheBurst) {
  BucketState s;
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(TakeToken(s, 6, 2, 0).allowed);  // 6/min: 10 s each
  EXPECT_FALSE(TakeToken(s, 6, 2, 0).allowed);
  BucketAnswer early = TakeToken(s, 6, 2, 9999);
  EXPECT_FALSE(early.allowed);
  EXPECT_EQ(early.retry_after, 1);
  EXPECT_TRUE(TakeToken(s, 6, 2, 10000).allowed);
  EXPECT_FALSE(TakeToken(s, 6, 2, 10000).allowed);
  BucketAnswer later = TakeToken(s, 6, 2, 10000 + 3600 * 1000);  // an hour idle
  EXPECT_TRUE(later.allowed);
  EXPECT_EQ(later.remaining, 1) << "capped at the burst";
  EXPECT_EQ(later.reset, 10);
  BucketAnswer full = TakeToken(s, 6, 2, 10000 + 7200 * 1000);
  EXPECT_EQ(full.remaining, 1);
}

TEST(TokenBucket, TimeGoingBackwardsAddsNothing) {
  BucketState s;
  EXPECT_TRUE(TakeToken(s, 60, 1, 5000).allowed);
  EXPECT_FALSE(TakeToken(s, 60, 1, 1000).allowed);
  EXPECT_FALSE(TakeToken(s, 60, 1, 5999).allowed);
  EXPECT_TRUE(TakeToken(s, 60, 1, 6000).allowed);
}

config::EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](const std::string& k) -> std::optional<std::string> {
    auto it = values.find(k);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(DecisionBatchConfig, DefaultsEnvironmentAndBadValues) {
  config::Config c = config::Load({}, Env({}));
  EXPECT_EQ(c.decision_batch_size, 64);
  EXPECT_EQ(c.decision_batch_delay_ms, 0);
  EXPECT_EQ(c.decision_writers, 1);
  c = config::Load({}, Env({{"OAKGATE_DECISION_BATCH_SIZE", "8"},
                            {"OAKGATE_DECISION_BATCH_DELAY_MS", "3"},
                            {"OAKGATE_DECISION_WRITERS", "4"}}));
  EXPECT_EQ(c.decision_batch_size, 8);
  EXPECT_EQ(c.decision_batch_delay_ms, 3);
  EXPECT_EQ(c.decision_writers, 4);
  try {
    config::Load({}, Env({{"OAKGATE_DECISION_BATCH_SIZE", "0"}}));
    FAIL() << "a batch of 0 must be refused";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.key(), "decision_batch_size");
  }
  try {
    config::Load({}, Env({{"OAKGATE_DECISION_BATCH_DELAY_MS", "soon"}}));
    FAIL() << "a non-integer delay must be refused";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.key(), "decision_batch_delay_ms");
  }
  try {
    config::Load({}, Env({{"OAKGATE_DECISION_WRITERS", "0"}}));
    FAIL() << "no writer must be refused";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.key(), "decision_writers");
  }
}

}  // namespace
}  // namespace oakgate::policy
