#pragma once
// The decision of /v1/validate (CONTRACT §6 and §10) as a pure function: no clock, no storage.
// Rules carry an effect (allow, deny, ask) and conditions on the request's context; the
// conditions are compiled once, when rules are loaded into the policy cache, never per request.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oakgate::policy {

enum class Reasoning { kNone, kSoft, kHard };
std::optional<Reasoning> ParseReasoning(std::string_view text);
std::string_view ReasoningString(Reasoning level);

// Tool, scope and agent names: [A-Za-z0-9._-]{1,200}; rules may also use "*".
inline constexpr size_t kMaxNameLength = 200;
bool IsValidName(std::string_view name);
bool IsValidRuleName(std::string_view name);
// A key scope "tool:scope" where either side is a name or "*".
bool IsValidKeyScope(std::string_view key_scope);

enum class DenyReason {
  kNoRule,
  kUnknownTool,
  kUnknownScope,
  kReasoningRequired,
  kAgentDisabled,
  kKeyScope,
  kDeniedByRule,     // a deny rule decided (CONTRACT §10)
  kPending,          // an ask rule decided: a human must approve (recorded as pending)
  kApprovalDenied,   // the approval_id given was denied
  kApprovalUsed,     // ... was used already
  kApprovalExpired,  // ... expired before it was decided or used
  kApprovalMismatch  // ... is unknown, another agent's, or for another tool, scope or context
};
std::string_view DenyReasonString(DenyReason reason);

enum class Effect { kAllow, kDeny, kAsk };
std::optional<Effect> ParseEffect(std::string_view text);
std::string_view EffectString(Effect effect);

// Condition operators (CONTRACT §10).
enum class Op { kEq, kNe, kIn, kNotIn, kPrefix, kGlob, kLt, kLte, kGt, kGte, kExists };
std::optional<Op> ParseOp(std::string_view text);
std::string_view OpString(Op op);

// Limits of what a rule may say, checked on write.
inline constexpr size_t kMaxConditions = 16;
inline constexpr size_t kMaxFieldSegments = 8;
inline constexpr size_t kMaxSegmentLength = 64;
inline constexpr size_t kMaxConditionString = 1024;
inline constexpr size_t kMaxGlobPattern = 256;
inline constexpr size_t kMaxSetItems = 64;
inline constexpr int64_t kMaxPriority = 1000000;
inline constexpr int64_t kMinApprovalTtl = 60;
inline constexpr int64_t kMaxApprovalTtl = 30 * 24 * 3600;
inline constexpr int64_t kDefaultApprovalTtl = 3600;

// One position of a compiled glob: a literal character, or a star (`across`: `**`).
struct GlobStep {
  char literal = '\0';
  bool star = false;
  bool across = false;
};

// A condition ready to test: the path split, the value checked for its operator.
struct Condition {
  std::string field;              // as written: "context.repo.owner"
  std::vector<std::string> path;  // {"repo", "owner"}
  Op op = Op::kEq;
  nlohmann::json value;        // a scalar; an array of scalars for in/not_in
  double number = 0;           // lt, lte, gt, gte
  bool exists = true;          // exists
  std::vector<GlobStep> glob;  // glob
};

// What was wrong with a rule's conditions: the field to name in the 400 and why.
struct ConditionError {
  std::string field;  // "conditions", "conditions[2].op", ...
  std::string message;
};
// Checks and compiles a rule's `conditions` (a JSON array as the API takes it).
std::vector<Condition> CompileConditions(const nlohmann::json& conditions,
                                         std::optional<ConditionError>& error);
// The same for the JSON text the store holds.
std::vector<Condition> CompileConditionsText(std::string_view json_text,
                                             std::optional<ConditionError>& error);
// Whether `c` holds for `context` (an object, or null when the request sent none).
bool ConditionHolds(const Condition& c, const nlohmann::json& context);
// `*` matches within one /-separated segment, `**` across segments.
std::vector<GlobStep> CompileGlob(std::string_view pattern);
bool GlobMatch(const std::vector<GlobStep>& pattern, std::string_view text);

struct RuleSpec {
  std::string id;
  std::string tool;   // a name or "*"
  std::string scope;  // a name or "*"
  Reasoning level = Reasoning::kNone;
  Effect effect = Effect::kAllow;
  std::vector<Condition> conditions;  // all must hold
  int64_t priority = 0;               // higher first within a level, then id
  int64_t approval_ttl = kDefaultApprovalTtl;
};

// An agent's tool and candidate rules for one (tool, scope), compiled once when loaded into
// the policy cache and shared, read-only, by every request that uses it.
struct CompiledPolicy {
  bool tool_known = false;
  std::vector<std::string> tool_scopes;
  std::vector<RuleSpec> rules;
  bool has_ask = false;  // some rule asks for approval: deciding it needs the database
};

// The rule whose conditions failed first, when no rule decided (CONTRACT §10).
struct FailedCondition {
  std::string rule_id;
  std::string field;
  Op op = Op::kEq;
};

struct PolicyInput {
  bool agent_enabled = true;
  bool tool_known = false;                       // the agent has a tool of this name
  std::vector<std::string> tool_scopes;          // the scopes of that tool
  std::vector<std::string> key_scopes;           // empty: the key is not narrowed
  const std::vector<RuleSpec>* rules = nullptr;  // candidates; others are ignored
  std::string_view tool;
  std::string_view scope;
  std::string_view reasoning;               // "" when absent
  const nlohmann::json* context = nullptr;  // the request's context object; null when absent
};

struct Verdict {
  bool allowed = false;
  std::optional<DenyReason> reason;  // set when denied
  const RuleSpec* rule = nullptr;    // the rule that decided, when one did (in input.rules)
  std::optional<FailedCondition> failed_condition;  // no_rule after conditions failed
  bool reasoning_required = false;                  // the rule is hard
  bool reasoning_provided = false;                  // non-blank reasoning was given
  bool warning = false;  // soft rule without reasoning: allowed, with a warning
};

// Whether a key narrowed by `key_scopes` may be granted (tool, scope); an empty list
// does not narrow.
bool KeyScopesAllow(const std::vector<std::string>& key_scopes, std::string_view tool,
                    std::string_view scope);
// How specific a rule is for (tool, scope): 4 (tool, scope), 3 (tool, *), 2 (*, scope),
// 1 (*, *), 0 when it does not match.
int Specificity(const RuleSpec& rule, std::string_view tool, std::string_view scope);
// The order rules are tried in: most specific level first; within a level higher priority,
// then id. Rules that do not match (tool, scope) are left out.
std::vector<const RuleSpec*> CandidateOrder(const std::vector<RuleSpec>& rules,
                                            std::string_view tool, std::string_view scope);
// The most specific rule, ignoring conditions (the first of CandidateOrder).
const RuleSpec* MostSpecificRule(const std::vector<RuleSpec>& rules, std::string_view tool,
                                 std::string_view scope);
// Checks in the contract's order: agent_disabled, unknown_tool, unknown_scope, key_scope,
// then the first rule in CandidateOrder whose conditions hold decides: deny
// (denied_by_rule), ask (pending), or allow; none is no_rule (naming the first failed
// condition, if any). Reasoning applies to allow and ask rules. Default deny.
Verdict Evaluate(const PolicyInput& input);

}  // namespace oakgate::policy
