#pragma once
// The rules of an agent (CONTRACT §6): {"id", "tool", "scope", "require_reasoning"}, one per
// (agent, tool, scope); `tool` and `scope` may be `*`. Every call acts on an agent the
// principal got from AgentService::Get.
#include <optional>
#include <string>
#include <vector>

#include "gateway/manage/agent_service.hpp"

namespace oakgate::manage {

struct RuleInput {
  std::optional<std::string> tool;
  std::optional<std::string> scope;
  std::optional<std::string> require_reasoning;  // none, soft or hard; none when created without
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
