#pragma once
// The tools of an agent (CONTRACT §6): {"name", "scopes", "description"}, named uniquely within
// their agent. Every call acts on an agent the principal got from AgentService::Get.
#include <optional>
#include <string>
#include <vector>

#include "gateway/manage/agent_service.hpp"

namespace oakgate::manage {

struct ToolInput {
  std::optional<std::string> name;  // on creation only: a tool is renamed by replacing it
  std::optional<std::vector<std::string>> scopes;
  std::optional<std::string> description;
};

class ToolService {
 public:
  explicit ToolService(store::AgentStore& agents) : agents_(agents) {}
  Outcome<std::vector<store::Tool>> List(const Principal& who, const Owned<store::Agent>& agent);
  Outcome<store::Tool> Get(const Principal& who, const Owned<store::Agent>& agent,
                           std::string_view name);
  Outcome<store::Tool> Create(const Principal& who, const Owned<store::Agent>& agent,
                              const ToolInput& input);
  // `current` is what Get answered; its name selects the tool.
  Outcome<store::Tool> Update(const Principal& who, const Owned<store::Agent>& agent,
                              store::Tool current, const ToolInput& input);
  Outcome<Done> Delete(const Principal& who, const Owned<store::Agent>& agent,
                       std::string_view name);

 private:
  store::AgentStore& agents_;
};

}  // namespace oakgate::manage
