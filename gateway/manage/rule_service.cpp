#include "gateway/manage/rule_service.hpp"

#include <nlohmann/json.hpp>

#include "gateway/manage/fields.hpp"
#include "gateway/policy/rules.hpp"

namespace oakgate::manage {
namespace {

constexpr const char* kNoRule = "no such rule";

std::optional<DomainError> Apply(const RuleInput& input, store::Rule& rule, bool creating) {
  if (creating && !input.tool) return Invalid("tool", "tool is required").error;
  if (creating && !input.scope) return Invalid("scope", "scope is required").error;
  if (input.tool && !policy::IsValidRuleName(*input.tool)) {
    return Invalid("tool", "tool must be * or match [A-Za-z0-9._-]{1,200}").error;
  }
  if (input.scope && !policy::IsValidRuleName(*input.scope)) {
    return Invalid("scope", "scope must be * or match [A-Za-z0-9._-]{1,200}").error;
  }
  if (input.require_reasoning && !policy::ParseReasoning(*input.require_reasoning)) {
    return Invalid("require_reasoning", "require_reasoning must be none, soft or hard").error;
  }
  if (input.effect && !policy::ParseEffect(*input.effect)) {
    return Invalid("effect", "effect must be allow, deny or ask").error;
  }
  std::string conditions_json;
  if (input.conditions) {
    std::optional<policy::ConditionError> bad;
    policy::CompileConditions(*input.conditions, bad);
    if (bad) return Invalid(bad->field, bad->message).error;
    conditions_json = input.conditions->dump();
  }
  if (input.priority &&
      (*input.priority < -policy::kMaxPriority || *input.priority > policy::kMaxPriority)) {
    return Invalid("priority", "priority must be a whole number from -1000000 to 1000000").error;
  }
  if (input.approval_ttl && (*input.approval_ttl < policy::kMinApprovalTtl ||
                             *input.approval_ttl > policy::kMaxApprovalTtl)) {
    return Invalid("approval_ttl", "approval_ttl must be 60 to 2592000 seconds").error;
  }
  if (input.tool) rule.tool = *input.tool;
  if (input.scope) rule.scope = *input.scope;
  if (input.require_reasoning) rule.require_reasoning = *input.require_reasoning;
  if (input.effect) rule.effect = *input.effect;
  if (input.conditions) rule.conditions_json = std::move(conditions_json);
  if (input.priority) rule.priority = *input.priority;
  if (input.approval_ttl) rule.approval_ttl = *input.approval_ttl;
  return std::nullopt;
}

std::string Details(const RuleInput& input) {
  nlohmann::json d = nlohmann::json::object();
  if (input.tool) d["tool"] = *input.tool;
  if (input.scope) d["scope"] = *input.scope;
  if (input.require_reasoning) d["require_reasoning"] = *input.require_reasoning;
  if (input.effect) d["effect"] = *input.effect;
  if (input.conditions) d["conditions"] = *input.conditions;
  if (input.priority) d["priority"] = *input.priority;
  if (input.approval_ttl) d["approval_ttl"] = *input.approval_ttl;
  return d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Outcome<std::vector<store::Rule>> RuleService::List(const Principal& who,
                                                    const Owned<store::Agent>& agent) {
  if (auto e = CheckAgent(who, agent)) return util::Fail(*e);
  return agents_.ListRules(agent->id);
}

Outcome<store::Rule> RuleService::Get(const Principal& who, const Owned<store::Agent>& agent,
                                      std::string_view rule_id) {
  if (auto e = CheckAgent(who, agent)) return util::Fail(*e);
  auto rule = IsUuid(rule_id) ? agents_.FindRule(agent->id, rule_id) : std::nullopt;
  if (!rule) return NotFound(kNoRule);
  return *rule;
}

Outcome<store::Rule> RuleService::Create(const Principal& who, const Owned<store::Agent>& agent,
                                         const RuleInput& input) {
  if (auto e = CheckAgentWrite(who, agent)) return util::Fail(*e);
  store::Rule rule;
  if (auto e = Apply(input, rule, true)) return util::Fail(*e);
  switch (agents_.CreateRule(agent->id, rule, who.Audit("rule.created", "", Details(input)))) {
    case store::WriteOutcome::kOk:
      return rule;
    case store::WriteOutcome::kConflict:
    case store::WriteOutcome::kNotFound:
      break;
  }
  return NotFound("no such agent");
}

Outcome<store::Rule> RuleService::Update(const Principal& who, const Owned<store::Agent>& agent,
                                         store::Rule current, const RuleInput& input) {
  if (auto e = CheckAgentWrite(who, agent)) return util::Fail(*e);
  if (auto e = Apply(input, current, false)) return util::Fail(*e);
  switch (agents_.UpdateRule(agent->id, current,
                             who.Audit("rule.updated", current.id, Details(input)))) {
    case store::WriteOutcome::kOk:
      return current;
    case store::WriteOutcome::kConflict:
    case store::WriteOutcome::kNotFound:
      break;
  }
  return NotFound(kNoRule);
}

Outcome<Done> RuleService::Delete(const Principal& who, const Owned<store::Agent>& agent,
                                  std::string_view rule_id) {
  if (auto e = CheckAgentWrite(who, agent)) return util::Fail(*e);
  if (!IsUuid(rule_id) ||
      !agents_.DeleteRule(agent->id, rule_id, who.Audit("rule.deleted", std::string(rule_id)))) {
    return NotFound(kNoRule);
  }
  return Done{};
}

}  // namespace oakgate::manage
