#pragma once
// The decision of /v1/validate (CONTRACT §6) as a pure function: no clock, no storage.
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
  kKeyScope
};
std::string_view DenyReasonString(DenyReason reason);

struct RuleSpec {
  std::string id;
  std::string tool;   // a name or "*"
  std::string scope;  // a name or "*"
  Reasoning level = Reasoning::kNone;
};

struct PolicyInput {
  bool agent_enabled = true;
  bool tool_known = false;               // the agent has a tool of this name
  std::vector<std::string> tool_scopes;  // the scopes of that tool
  std::vector<std::string> key_scopes;   // empty: the key is not narrowed
  std::vector<RuleSpec> rules;           // candidates; others are ignored
  std::string_view tool;
  std::string_view scope;
  std::string_view reasoning;  // "" when absent
};

struct Verdict {
  bool allowed = false;
  std::optional<DenyReason> reason;  // set when denied
  std::optional<RuleSpec> rule;      // the rule that decided, when one did
  bool reasoning_required = false;   // the rule is hard
  bool reasoning_provided = false;   // non-blank reasoning was given
  bool warning = false;              // soft rule without reasoning: allowed, with a warning
};

// Whether a key narrowed by `key_scopes` may be granted (tool, scope); an empty list
// does not narrow.
bool KeyScopesAllow(const std::vector<std::string>& key_scopes, std::string_view tool,
                    std::string_view scope);
// The most specific rule: (tool, scope), then (tool, *), then (*, scope), then (*, *).
const RuleSpec* MostSpecificRule(const std::vector<RuleSpec>& rules, std::string_view tool,
                                 std::string_view scope);
// Checks in the contract's order: agent_disabled, unknown_tool, unknown_scope, key_scope,
// the rule (no_rule), reasoning. Default deny.
Verdict Evaluate(const PolicyInput& input);

}  // namespace oakgate::policy
