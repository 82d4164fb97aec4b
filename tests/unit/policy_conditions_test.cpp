// CONTRACT §10 in the pure policy code: the order rules are tried in (level, priority, id),
// first match, deny and ask, the first failed condition, every operator with present and
// missing fields, glob's segments, reasoning on top, and what write-time validation refuses.
#include <gtest/gtest.h>

#include <list>
#include <nlohmann/json.hpp>

#include "gateway/policy/policy_cache.hpp"
#include "gateway/policy/rules.hpp"

namespace oakgate::policy {
namespace {

using nlohmann::json;

std::vector<Condition> Conditions(const json& j) {
  std::optional<ConditionError> error;
  auto out = CompileConditions(j, error);
  EXPECT_FALSE(error) << j.dump() << ": " << (error ? error->field + " " + error->message : "");
  return out;
}

RuleSpec Rule(std::string id, std::string tool, std::string scope, Effect effect = Effect::kAllow,
              int64_t priority = 0, const json& conditions = json::array(),
              Reasoning level = Reasoning::kNone) {
  RuleSpec r;
  r.id = std::move(id);
  r.tool = std::move(tool);
  r.scope = std::move(scope);
  r.effect = effect;
  r.priority = priority;
  r.conditions = Conditions(conditions);
  r.level = level;
  return r;
}

Verdict Decide(std::vector<RuleSpec> rules, const json& context, std::string_view reasoning = "",
               std::string_view tool = "fs", std::string_view scope = "write") {
  static std::list<std::pair<std::vector<RuleSpec>, json>> kept;  // the input points into these
  kept.emplace_back(std::move(rules), context);
  PolicyInput in;
  in.tool_known = true;
  in.tool_scopes = {"read", "write"};
  in.rules = &kept.back().first;
  in.context = &kept.back().second;
  in.tool = tool;
  in.scope = scope;
  in.reasoning = reasoning;
  return Evaluate(in);
}

json Cond(std::string field, std::string op, json value) {
  return json::array({{{"field", std::move(field)}, {"op", std::move(op)}, {"value", value}}});
}

TEST(PolicyOrder, TheMostSpecificLevelWithAMatchingRuleDecidesByPriorityThenId) {
  const json ctx = {{"path", "/tmp/a"}};
  struct Case {
    const char* name;
    std::vector<RuleSpec> rules;
    std::string decided;  // "" for no_rule
    std::optional<DenyReason> reason;
  };
  const json tmp = Cond("context.path", "prefix", "/tmp/");
  const json etc = Cond("context.path", "prefix", "/etc/");
  std::vector<Case> cases = {
      {"exact beats tool-wide", {Rule("a", "fs", "*"), Rule("b", "fs", "write")}, "b", {}},
      {"tool-wide beats scope-wide", {Rule("a", "*", "write"), Rule("b", "fs", "*")}, "b", {}},
      {"scope-wide beats any", {Rule("a", "*", "*"), Rule("b", "*", "write")}, "b", {}},
      {"higher priority first",
       {Rule("a", "fs", "write", Effect::kAllow, 1), Rule("b", "fs", "write", Effect::kDeny, 5)},
       "b",
       DenyReason::kDeniedByRule},
      {"then the lower id",
       {Rule("b", "fs", "write", Effect::kDeny), Rule("a", "fs", "write")},
       "a",
       {}},
      {"a failed rule gives way to the next in its level",
       {Rule("a", "fs", "write", Effect::kDeny, 9, etc),
        Rule("b", "fs", "write", Effect::kAllow, 0, tmp)},
       "b",
       {}},
      {"then to a less specific level",
       {Rule("a", "fs", "write", Effect::kAllow, 0, etc), Rule("z", "*", "*", Effect::kDeny)},
       "z",
       DenyReason::kDeniedByRule},
      {"the first matching rule decides even when a later one would deny",
       {Rule("a", "fs", "write", Effect::kAllow, 2, tmp),
        Rule("b", "fs", "write", Effect::kDeny, 1)},
       "a",
       {}},
      {"an ask rule is pending",
       {Rule("a", "fs", "write", Effect::kAsk)},
       "a",
       DenyReason::kPending},
      {"rules of another tool are not candidates",
       {Rule("a", "github", "*")},
       "",
       DenyReason::kNoRule},
      {"nothing holds: no_rule",
       {Rule("a", "fs", "write", Effect::kAllow, 0, etc)},
       "",
       DenyReason::kNoRule},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    Verdict v = Decide(std::move(c.rules), ctx);
    EXPECT_EQ(v.rule ? v.rule->id : "", c.decided);
    EXPECT_EQ(v.reason, c.reason);
    EXPECT_EQ(v.allowed, !c.reason.has_value());
  }
}

TEST(PolicyOrder, NoRuleNamesTheFirstFailedConditionOfTheFirstRuleTried) {
  const json two = json::array({{{"field", "context.path"}, {"op", "prefix"}, {"value", "/tmp/"}},
                                {{"field", "context.size"}, {"op", "lt"}, {"value", 10}}});
  Verdict v =
      Decide({Rule("tool-wide", "fs", "*", Effect::kAllow, 0, Cond("context.x", "exists", true)),
              Rule("exact", "fs", "write", Effect::kAllow, 0, two)},
             {{"path", "/tmp/a"}, {"size", 50}});
  EXPECT_EQ(v.reason, DenyReason::kNoRule);
  ASSERT_TRUE(v.failed_condition);
  EXPECT_EQ(v.failed_condition->rule_id, "exact");
  EXPECT_EQ(v.failed_condition->field, "context.size") << "the first that failed, in order";
  EXPECT_EQ(v.failed_condition->op, Op::kLt);
  // When a rule decides, nothing failed is reported.
  Verdict decided = Decide(
      {Rule("exact", "fs", "write", Effect::kAllow, 0, two), Rule("any", "*", "*", Effect::kDeny)},
      {{"path", "/etc"}});
  EXPECT_EQ(decided.reason, DenyReason::kDeniedByRule);
  EXPECT_FALSE(decided.failed_condition);
}

TEST(PolicyOrder, ReasoningAppliesToTheDecidingAllowOrAskRuleButNotToADeny) {
  EXPECT_EQ(
      Decide({Rule("a", "fs", "write", Effect::kAllow, 0, json::array(), Reasoning::kHard)}, {})
          .reason,
      DenyReason::kReasoningRequired);
  EXPECT_EQ(Decide({Rule("a", "fs", "write", Effect::kAsk, 0, json::array(), Reasoning::kHard)}, {})
                .reason,
            DenyReason::kReasoningRequired)
      << "nobody is asked about a request without the reasoning its rule requires";
  EXPECT_EQ(Decide({Rule("a", "fs", "write", Effect::kAsk, 0, json::array(), Reasoning::kHard)}, {},
                   "why")
                .reason,
            DenyReason::kPending);
  EXPECT_EQ(Decide({Rule("a", "fs", "write", Effect::kDeny, 0, json::array(), Reasoning::kHard)},
                   {}, "why")
                .reason,
            DenyReason::kDeniedByRule);
  Verdict soft =
      Decide({Rule("a", "fs", "write", Effect::kAllow, 0, json::array(), Reasoning::kSoft)}, {});
  EXPECT_TRUE(soft.allowed);
  EXPECT_TRUE(soft.warning);
}

TEST(PolicyConditions, EveryOperatorHoldsAsTheContractSaysWithPresentAndMissingFields) {
  const json ctx = {{"path", "/tmp/reports/q1.txt"},
                    {"amount", 250},
                    {"price", 9.5},
                    {"flag", true},
                    {"nothing", nullptr},
                    {"count", "10"},
                    {"repo", {{"owner", "oakgate"}, {"name", "core"}}}};
  struct Case {
    json condition;
    bool holds;
  };
  std::vector<Case> cases = {
      {Cond("context.repo.owner", "eq", "oakgate"), true},
      {Cond("context.repo.owner", "eq", "other"), false},
      {Cond("context.amount", "eq", 250.0), true},  // numbers by value
      {Cond("context.count", "eq", 10), false},     // "10" is not 10
      {Cond("context.flag", "eq", true), true},
      {Cond("context.nothing", "eq", nullptr), true},
      {Cond("context.missing", "eq", nullptr), false},
      {Cond("context.repo.owner", "ne", "other"), true},
      {Cond("context.repo.owner", "ne", "oakgate"), false},
      {Cond("context.missing", "ne", "x"), true},  // a missing field holds for ne
      {Cond("context.repo", "eq", "oakgate"), false},
      {Cond("context.repo.name", "in", {"core", "web"}), true},
      {Cond("context.repo.name", "in", {"web"}), false},
      {Cond("context.missing", "in", {"web"}), false},
      {Cond("context.repo.name", "not_in", {"web"}), true},
      {Cond("context.repo.name", "not_in", {"core"}), false},
      {Cond("context.missing", "not_in", {"core"}), false},  // missing fails not_in
      {Cond("context.path", "prefix", "/tmp/"), true},
      {Cond("context.path", "prefix", "/etc/"), false},
      {Cond("context.amount", "prefix", "2"), false},  // strings only
      {Cond("context.missing", "prefix", ""), false},
      {Cond("context.amount", "lt", 251), true},
      {Cond("context.amount", "lt", 250), false},
      {Cond("context.amount", "lte", 250), true},
      {Cond("context.amount", "gt", 249.5), true},
      {Cond("context.amount", "gt", 250), false},
      {Cond("context.price", "gte", 9.5), true},
      {Cond("context.count", "lt", 100), false},  // numbers only
      {Cond("context.missing", "lt", 100), false},
      {Cond("context.path", "exists", true), true},
      {Cond("context.path", "exists", false), false},
      {Cond("context.missing", "exists", false), true},
      {Cond("context.missing", "exists", true), false},
      {Cond("context.nothing", "exists", true), true},  // present, if null
      {Cond("context.path.deeper", "exists", false), true},
      {Cond("context.path", "glob", "/tmp/**"), true},
      {Cond("context.path", "glob", "/tmp/*"), false},  // * stays within a segment
      {Cond("context.path", "glob", "/tmp/*/*.txt"), true},
      {Cond("context.path", "glob", "/tmp/**/q?.txt"), false},  // ? is a literal
      {Cond("context.path", "glob", "**.txt"), true},
      {Cond("context.path", "glob", "/tmp/reports/q1.txt"), true},
      {Cond("context.amount", "glob", "*"), false},
      {Cond("context.missing", "glob", "**"), false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.condition.dump());
    auto compiled = Conditions(c.condition);
    ASSERT_EQ(compiled.size(), 1u);
    EXPECT_EQ(ConditionHolds(compiled[0], ctx), c.holds);
  }
  // Without a context every field is missing.
  auto exists = Conditions(Cond("context.path", "exists", false));
  EXPECT_TRUE(ConditionHolds(exists[0], json()));
}

TEST(PolicyConditions, GlobKeepsStarsWithinSegmentsAndTakesTimeLinearInTheText) {
  struct Case {
    const char* pattern;
    const char* text;
    bool matches;
  };
  std::vector<Case> cases = {
      {"*", "", true},
      {"*", "a/b", false},
      {"**", "a/b", true},
      {"a/*/c", "a/b/c", true},
      {"a/*/c", "a/b/x/c", false},
      {"a/**/c", "a/b/x/c", true},
      {"a/**/c", "a//c", true},
      {"a/**", "a", false},
      {"*.md", "README.md", true},
      {"*.md", "docs/x.md", false},
      {"***", "a/b", true},
      {"", "", true},
      {"", "a", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(GlobMatch(CompileGlob(c.pattern), c.text), c.matches) << c.pattern << " " << c.text;
  }
  // A pattern that backtracking would take exponential time on.
  std::string text(16 * 1024, 'a');
  EXPECT_FALSE(GlobMatch(CompileGlob("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"), text));
}

TEST(PolicyConditions, BadConditionsAreRefusedNamingTheField) {
  struct Case {
    json conditions;
    std::string field;
  };
  std::vector<Case> cases = {
      {json::object(), "conditions"},
      {json::array({1}), "conditions[0]"},
      {Cond("path", "eq", 1), "conditions[0].field"},
      {Cond("context.", "eq", 1), "conditions[0].field"},
      {Cond("context.a b", "eq", 1), "conditions[0].field"},
      {Cond("context.a.b.c.d.e.f.g.h.i", "eq", 1), "conditions[0].field"},
      {Cond("context.a", "matches", 1), "conditions[0].op"},
      {Cond("context.a", "eq", json::array()), "conditions[0].value"},
      {Cond("context.a", "in", 1), "conditions[0].value"},
      {Cond("context.a", "in", json::array({json::object()})), "conditions[0].value"},
      {Cond("context.a", "lt", "1"), "conditions[0].value"},
      {Cond("context.a", "exists", 1), "conditions[0].value"},
      {Cond("context.a", "prefix", 1), "conditions[0].value"},
      {Cond("context.a", "glob", std::string(257, '*')), "conditions[0].value"},
      {json::array({{{"field", "context.a"}, {"op", "eq"}}}), "conditions[0].value"},
      {json::array({{{"field", "context.a"}, {"op", "eq"}, {"value", 1}, {"x", 1}}}),
       "conditions[0].x"},
  };
  json many = json::array();
  for (int i = 0; i < 17; ++i) many.push_back(Cond("context.a", "exists", true)[0]);
  cases.push_back({many, "conditions"});
  for (const auto& c : cases) {
    std::optional<ConditionError> error;
    CompileConditions(c.conditions, error);
    ASSERT_TRUE(error) << c.conditions.dump();
    EXPECT_EQ(error->field, c.field) << c.conditions.dump();
  }
}

TEST(PolicyCompile, ARuleTheDatabaseHoldsThatNoWriteAllowsFailsClosed) {
  store::PolicySlice slice;
  slice.tool = store::Tool{"fs", {"write"}, ""};
  slice.rules.push_back(store::Rule{"bad-effect", "fs", "write", "none", "perhaps", "[]", 0, 60});
  slice.rules.push_back(
      store::Rule{"bad-condition", "*", "*", "none", "allow", "[{\"op\":1}]", 0, 60});
  slice.rules.push_back(store::Rule{"ask", "fs", "*", "odd", "ask", "[]", 0, 60});
  auto policy = CompilePolicy(slice);
  ASSERT_EQ(policy->rules.size(), 3u);
  EXPECT_EQ(policy->rules[0].effect, Effect::kDeny);
  EXPECT_EQ(policy->rules[1].effect, Effect::kDeny);
  EXPECT_TRUE(policy->rules[1].conditions.empty());
  EXPECT_EQ(policy->rules[2].level, Reasoning::kHard);
  EXPECT_TRUE(policy->has_ask);
}

}  // namespace
}  // namespace oakgate::policy
