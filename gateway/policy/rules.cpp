#include "gateway/policy/rules.hpp"

#include <algorithm>

namespace oakgate::policy {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool Matches(std::string_view pattern, std::string_view value) {
  return pattern == "*" || pattern == value;
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

}  // namespace

std::optional<Reasoning> ParseReasoning(std::string_view text) {
  if (text == "none") return Reasoning::kNone;
  if (text == "soft") return Reasoning::kSoft;
  if (text == "hard") return Reasoning::kHard;
  return std::nullopt;
}

std::string_view ReasoningString(Reasoning level) {
  switch (level) {
    case Reasoning::kNone:
      return "none";
    case Reasoning::kSoft:
      return "soft";
    case Reasoning::kHard:
      return "hard";
  }
  return "none";
}

bool IsValidName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength &&
         std::all_of(name.begin(), name.end(), IsNameChar);
}

bool IsValidRuleName(std::string_view name) { return name == "*" || IsValidName(name); }

bool IsValidKeyScope(std::string_view key_scope) {
  size_t colon = key_scope.find(':');
  if (colon == std::string_view::npos) return false;
  return IsValidRuleName(key_scope.substr(0, colon)) &&
         IsValidRuleName(key_scope.substr(colon + 1));
}

std::string_view DenyReasonString(DenyReason reason) {
  switch (reason) {
    case DenyReason::kNoRule:
      return "no_rule";
    case DenyReason::kUnknownTool:
      return "unknown_tool";
    case DenyReason::kUnknownScope:
      return "unknown_scope";
    case DenyReason::kReasoningRequired:
      return "reasoning_required";
    case DenyReason::kAgentDisabled:
      return "agent_disabled";
    case DenyReason::kKeyScope:
      return "key_scope";
  }
  return "no_rule";
}

bool KeyScopesAllow(const std::vector<std::string>& key_scopes, std::string_view tool,
                    std::string_view scope) {
  if (key_scopes.empty()) return true;
  for (const auto& ks : key_scopes) {
    std::string_view s = ks;
    size_t colon = s.find(':');
    if (colon == std::string_view::npos) continue;  // never stored; ignore defensively
    if (Matches(s.substr(0, colon), tool) && Matches(s.substr(colon + 1), scope)) return true;
  }
  return false;
}

const RuleSpec* MostSpecificRule(const std::vector<RuleSpec>& rules, std::string_view tool,
                                 std::string_view scope) {
  const RuleSpec* best = nullptr;
  int best_rank = 0;
  for (const auto& r : rules) {
    int rank = 0;
    if (r.tool == tool && r.scope == scope) {
      rank = 4;
    } else if (r.tool == tool && r.scope == "*") {
      rank = 3;
    } else if (r.tool == "*" && r.scope == scope) {
      rank = 2;
    } else if (r.tool == "*" && r.scope == "*") {
      rank = 1;
    }
    if (rank > best_rank) {
      best_rank = rank;
      best = &r;
    }
  }
  return best;
}

Verdict Evaluate(const PolicyInput& in) {
  Verdict v;
  v.reasoning_provided = !IsBlank(in.reasoning);
  auto deny = [&v](DenyReason reason) {
    v.allowed = false;
    v.reason = reason;
    return v;
  };
  if (!in.agent_enabled) return deny(DenyReason::kAgentDisabled);
  // A `*` rule never makes a tool or scope exist: they must be declared on the agent.
  if (!in.tool_known) return deny(DenyReason::kUnknownTool);
  if (std::find(in.tool_scopes.begin(), in.tool_scopes.end(), in.scope) == in.tool_scopes.end()) {
    return deny(DenyReason::kUnknownScope);
  }
  if (!KeyScopesAllow(in.key_scopes, in.tool, in.scope)) return deny(DenyReason::kKeyScope);
  const RuleSpec* rule = MostSpecificRule(in.rules, in.tool, in.scope);
  if (!rule) return deny(DenyReason::kNoRule);
  v.rule = *rule;
  v.reasoning_required = rule->level == Reasoning::kHard;
  if (v.reasoning_required && !v.reasoning_provided) return deny(DenyReason::kReasoningRequired);
  v.allowed = true;
  v.warning = rule->level == Reasoning::kSoft && !v.reasoning_provided;
  return v;
}

}  // namespace oakgate::policy
