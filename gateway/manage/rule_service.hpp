#pragma once
// The rules of an agent (CONTRACT §6, §10): {"id", "tool", "scope", "effect", "conditions",
// "priority", "require_reasoning", "approval_ttl"}; `tool` and `scope` may be `*`, and several
// rules may share them. Every field is checked here, on write, so the policy cache compiles
// only rules that were valid (a 400 names the field, down to "conditions[1].op"). Every call
// acts on an agent the principal got from AgentService::Get.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gateway/manage/agent_service.hpp"

namespace oakgate::manage {

struct RuleInput {
  std::optional<std::string> tool;
  std::optional<std::string> scope;
  std::optional<std::string> require_reasoning;  // none, soft or hard; none when created without
  std::optional<std::string> effect;             // allow, deny or ask; allow when created without
  std::optional<nlohmann::json> conditions;      // an array of {field, op, value}; [] by default
  std::optional<int64_t> priority;               // 0 by default
  std::optional<int64_t> approval_ttl;           // seconds; 3600 by default
};

class RuleService {
 public:
  explicit RuleService(store::AgentStore& agents) : agents_(agents) {}
  Outcome<std::vector<store::Rule>> List(const Principal& who, const Owned<store::Agent>& agent);
  Outcome<store::Rule> Get(const Principal& who, const Owned<store::Agent>& agent,
                           std::string_view rule_id);
  Outcome<store::Rule> Create(const Principal& who, const Owned<store::Agent>& agent,
                              const RuleInput& input);
  // `current` is what Get answered; its id selects the rule.
  Outcome<store::Rule> Update(const Principal& who, const Owned<store::Agent>& agent,
                              store::Rule current, const RuleInput& input);
  Outcome<Done> Delete(const Principal& who, const Owned<store::Agent>& agent,
                       std::string_view rule_id);

 private:
  store::AgentStore& agents_;
};

}  // namespace oakgate::manage
