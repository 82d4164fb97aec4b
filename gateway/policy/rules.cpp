#include "gateway/policy/rules.hpp"

#include <algorithm>
#include <cmath>

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
    case DenyReason::kDeniedByRule:
      return "denied_by_rule";
    case DenyReason::kPending:
      return "pending";
    case DenyReason::kApprovalDenied:
      return "approval_denied";
    case DenyReason::kApprovalUsed:
      return "approval_used";
    case DenyReason::kApprovalExpired:
      return "approval_expired";
    case DenyReason::kApprovalMismatch:
      return "approval_mismatch";
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

int Specificity(const RuleSpec& r, std::string_view tool, std::string_view scope) {
  if (r.tool == tool && r.scope == scope) return 4;
  if (r.tool == tool && r.scope == "*") return 3;
  if (r.tool == "*" && r.scope == scope) return 2;
  if (r.tool == "*" && r.scope == "*") return 1;
  return 0;
}

std::vector<const RuleSpec*> CandidateOrder(const std::vector<RuleSpec>& rules,
                                            std::string_view tool, std::string_view scope) {
  std::vector<std::pair<int, const RuleSpec*>> ranked;
  ranked.reserve(rules.size());
  for (const auto& r : rules) {
    if (int rank = Specificity(r, tool, scope); rank > 0) ranked.emplace_back(rank, &r);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    if (a.second->priority != b.second->priority) return a.second->priority > b.second->priority;
    return a.second->id < b.second->id;
  });
  std::vector<const RuleSpec*> order;
  order.reserve(ranked.size());
  for (const auto& [rank, r] : ranked) order.push_back(r);
  return order;
}

const RuleSpec* MostSpecificRule(const std::vector<RuleSpec>& rules, std::string_view tool,
                                 std::string_view scope) {
  auto order = CandidateOrder(rules, tool, scope);
  return order.empty() ? nullptr : order.front();
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
  static const nlohmann::json kNoContext;  // null: every field is missing
  const nlohmann::json& context = in.context ? *in.context : kNoContext;
  const RuleSpec* rule = nullptr;
  if (in.rules) {
    for (const RuleSpec* candidate : CandidateOrder(*in.rules, in.tool, in.scope)) {
      const Condition* failed = nullptr;
      for (const auto& c : candidate->conditions) {
        if (!ConditionHolds(c, context)) {
          failed = &c;
          break;
        }
      }
      if (!failed) {
        rule = candidate;
        break;
      }
      // The first rule tried is the most specific one whose conditions failed.
      if (!v.failed_condition)
        v.failed_condition = FailedCondition{candidate->id, failed->field, failed->op};
    }
  }
  if (!rule) return deny(DenyReason::kNoRule);
  v.failed_condition.reset();  // a rule decided: nothing to explain
  v.rule = rule;
  if (rule->effect == Effect::kDeny) return deny(DenyReason::kDeniedByRule);
  v.reasoning_required = rule->level == Reasoning::kHard;
  if (v.reasoning_required && !v.reasoning_provided) return deny(DenyReason::kReasoningRequired);
  v.warning = rule->level == Reasoning::kSoft && !v.reasoning_provided;
  if (rule->effect == Effect::kAsk) return deny(DenyReason::kPending);
  v.allowed = true;
  return v;
}

// --- effects and conditions (CONTRACT §10) ---

std::optional<Effect> ParseEffect(std::string_view text) {
  if (text == "allow") return Effect::kAllow;
  if (text == "deny") return Effect::kDeny;
  if (text == "ask") return Effect::kAsk;
  return std::nullopt;
}

std::string_view EffectString(Effect effect) {
  switch (effect) {
    case Effect::kAllow:
      return "allow";
    case Effect::kDeny:
      return "deny";
    case Effect::kAsk:
      return "ask";
  }
  return "deny";
}

namespace {

constexpr std::pair<std::string_view, Op> kOps[] = {
    {"eq", Op::kEq},         {"ne", Op::kNe},     {"in", Op::kIn},         {"not_in", Op::kNotIn},
    {"prefix", Op::kPrefix}, {"glob", Op::kGlob}, {"lt", Op::kLt},         {"lte", Op::kLte},
    {"gt", Op::kGt},         {"gte", Op::kGte},   {"exists", Op::kExists},
};

bool IsSegmentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool IsScalar(const nlohmann::json& j) {
  return j.is_string() || j.is_number() || j.is_boolean() || j.is_null();
}

bool ScalarWithinLimits(const nlohmann::json& j) {
  return !j.is_string() || j.get_ref<const std::string&>().size() <= kMaxConditionString;
}

// JSON equality, numbers by value whatever their representation (1 == 1.0).
bool SameValue(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

const nlohmann::json* Lookup(const nlohmann::json& context, const std::vector<std::string>& path) {
  const nlohmann::json* at = &context;
  for (const auto& segment : path) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(segment);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

}  // namespace

std::optional<Op> ParseOp(std::string_view text) {
  for (const auto& [name, op] : kOps) {
    if (name == text) return op;
  }
  return std::nullopt;
}

std::string_view OpString(Op op) {
  for (const auto& [name, o] : kOps) {
    if (o == op) return name;
  }
  return "eq";
}

std::vector<GlobStep> CompileGlob(std::string_view pattern) {
  std::vector<GlobStep> steps;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '*') {
      bool across = i + 1 < pattern.size() && pattern[i + 1] == '*';
      steps.push_back({'\0', true, across});
      i += across ? 2 : 1;
      while (i < pattern.size() && pattern[i] == '*') ++i;  // *** is **
    } else {
      steps.push_back({pattern[i++], false, false});
    }
  }
  return steps;
}

bool GlobMatch(const std::vector<GlobStep>& pattern, std::string_view text) {
  // The set of pattern positions reached after each character of `text`, as in a Thompson
  // NFA: time is bounded by text × pattern, never exponential, whatever the text.
  const size_t n = pattern.size();
  std::vector<char> current(n + 1, 0), next(n + 1, 0);
  auto close = [&](std::vector<char>& states) {
    // A star may match nothing: reaching it reaches what follows it.
    for (size_t i = 0; i < n; ++i) {
      if (states[i] && pattern[i].star) states[i + 1] = 1;
    }
  };
  current[0] = 1;
  close(current);
  for (char c : text) {
    std::fill(next.begin(), next.end(), 0);
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      if (!current[i]) continue;
      const GlobStep& p = pattern[i];
      if (p.star) {
        if (p.across || c != '/') next[i] = any = true;  // the star eats c and stays
      } else if (p.literal == c) {
        next[i + 1] = any = true;
      }
    }
    if (!any) return false;
    close(next);
    current.swap(next);
  }
  return current[n] != 0;
}

bool ConditionHolds(const Condition& c, const nlohmann::json& context) {
  const nlohmann::json* v = Lookup(context, c.path);
  // CONTRACT §10: a missing field fails every op but exists:false and ne.
  if (!v) return (c.op == Op::kExists && !c.exists) || c.op == Op::kNe;
  switch (c.op) {
    case Op::kExists:
      return c.exists;
    case Op::kEq:
      return SameValue(*v, c.value);
    case Op::kNe:
      return !SameValue(*v, c.value);
    case Op::kIn:
    case Op::kNotIn: {
      bool found = std::any_of(c.value.begin(), c.value.end(),
                               [&](const nlohmann::json& item) { return SameValue(*v, item); });
      return c.op == Op::kIn ? found : !found;
    }
    case Op::kPrefix:
      return v->is_string() && std::string_view(v->get_ref<const std::string&>())
                                       .substr(0, c.value.get_ref<const std::string&>().size()) ==
                                   c.value.get_ref<const std::string&>();
    case Op::kGlob:
      return v->is_string() && GlobMatch(c.glob, v->get_ref<const std::string&>());
    case Op::kLt:
    case Op::kLte:
    case Op::kGt:
    case Op::kGte: {
      if (!v->is_number()) return false;  // numbers only: "10" is not 10
      double x = v->get<double>();
      if (std::isnan(x)) return false;
      if (c.op == Op::kLt) return x < c.number;
      if (c.op == Op::kLte) return x <= c.number;
      if (c.op == Op::kGt) return x > c.number;
      return x >= c.number;
    }
  }
  return false;
}

std::vector<Condition> CompileConditions(const nlohmann::json& conditions,
                                         std::optional<ConditionError>& error) {
  std::vector<Condition> out;
  auto fail = [&](std::string field, std::string message) {
    error = ConditionError{std::move(field), std::move(message)};
    return std::vector<Condition>{};
  };
  if (!conditions.is_array()) return fail("conditions", "conditions must be an array");
  if (conditions.size() > kMaxConditions) {
    return fail("conditions",
                "a rule has at most " + std::to_string(kMaxConditions) + " conditions");
  }
  for (size_t i = 0; i < conditions.size(); ++i) {
    const std::string at = "conditions[" + std::to_string(i) + "]";
    const nlohmann::json& item = conditions[i];
    if (!item.is_object()) return fail(at, at + " must be an object {field, op, value}");
    for (const auto& [k, unused] : item.items()) {
      if (k != "field" && k != "op" && k != "value") return fail(at + "." + k, "unknown field");
    }
    Condition c;
    auto field = item.find("field");
    if (field == item.end() || !field->is_string()) {
      return fail(at + ".field", "field must be a string such as context.path");
    }
    c.field = field->get<std::string>();
    std::string_view rest = c.field;
    if (rest.substr(0, 8) != "context.") {
      return fail(at + ".field", "field must be a dotted path into context, such as context.path");
    }
    rest.remove_prefix(8);
    while (true) {
      size_t dot = rest.find('.');
      std::string_view segment = rest.substr(0, dot);
      if (segment.empty() || segment.size() > kMaxSegmentLength ||
          !std::all_of(segment.begin(), segment.end(), IsSegmentChar)) {
        return fail(at + ".field",
                    "each part of field must be 1 to 64 characters of [A-Za-z0-9_-]");
      }
      c.path.emplace_back(segment);
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    if (c.path.size() > kMaxFieldSegments) {
      return fail(at + ".field", "field has at most 8 parts after context");
    }
    auto op = item.find("op");
    std::optional<Op> parsed = op != item.end() && op->is_string()
                                   ? ParseOp(op->get_ref<const std::string&>())
                                   : std::nullopt;
    if (!parsed) {
      return fail(at + ".op",
                  "op must be one of eq, ne, in, not_in, prefix, glob, lt, lte, gt, gte, exists");
    }
    c.op = *parsed;
    auto value = item.find("value");
    if (value == item.end()) return fail(at + ".value", "value is required");
    const std::string vat = at + ".value";
    switch (c.op) {
      case Op::kEq:
      case Op::kNe:
        if (!IsScalar(*value) || !ScalarWithinLimits(*value)) {
          return fail(vat, "value must be a string (at most 1024 bytes), number, boolean or null");
        }
        break;
      case Op::kIn:
      case Op::kNotIn:
        if (!value->is_array() || value->size() > kMaxSetItems ||
            !std::all_of(value->begin(), value->end(), [](const nlohmann::json& j) {
              return IsScalar(j) && ScalarWithinLimits(j);
            })) {
          return fail(vat,
                      "value must be an array of at most 64 strings, numbers, booleans or nulls");
        }
        break;
      case Op::kPrefix:
      case Op::kGlob: {
        size_t limit = c.op == Op::kGlob ? kMaxGlobPattern : kMaxConditionString;
        if (!value->is_string() || value->get_ref<const std::string&>().size() > limit) {
          return fail(vat, "value must be a string of at most " + std::to_string(limit) + " bytes");
        }
        if (c.op == Op::kGlob) c.glob = CompileGlob(value->get_ref<const std::string&>());
        break;
      }
      case Op::kLt:
      case Op::kLte:
      case Op::kGt:
      case Op::kGte:
        if (!value->is_number() || !std::isfinite(value->get<double>())) {
          return fail(vat, "value must be a number");
        }
        c.number = value->get<double>();
        break;
      case Op::kExists:
        if (!value->is_boolean()) return fail(vat, "value must be true or false");
        c.exists = value->get<bool>();
        break;
    }
    c.value = *value;
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Condition> CompileConditionsText(std::string_view json_text,
                                             std::optional<ConditionError>& error) {
  nlohmann::json parsed = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    error = ConditionError{"conditions", "conditions must be JSON"};
    return {};
  }
  return CompileConditions(parsed, error);
}

}  // namespace oakgate::policy
