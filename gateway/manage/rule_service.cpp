#include "gateway/manage/rule_service.hpp"

#include <nlohmann/json.hpp>

#include "gateway/manage/fields.hpp"
#include "gateway/policy/rules.hpp"

namespace oakgate::manage {
namespace {

constexpr const char* kNoRule = "no such rule";
constexpr const char* kRuleExists = "the agent already has a rule for this tool and scope";

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
  if (input.tool) rule.tool = *input.tool;
  if (input.scope) rule.scope = *input.scope;
  if (input.require_reasoning) rule.require_reasoning = *input.require_reasoning;
  return std::nullopt;
}

std::string Details(const RuleInput& input) {
  nlohmann::json d = nlohmann::json::object();
  if (input.tool) d["tool"] = *input.tool;
  if (input.scope) d["scope"] = *input.scope;
  if (input.require_reasoning) d["require_reasoning"] = *input.require_reasoning;
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
      return Conflict(kRuleExists);
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
      return Conflict(kRuleExists);
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
