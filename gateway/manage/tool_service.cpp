#include "gateway/manage/tool_service.hpp"

#include <nlohmann/json.hpp>

#include "gateway/manage/fields.hpp"
#include "gateway/policy/rules.hpp"

namespace oakgate::manage {
namespace {

constexpr size_t kMaxDescription = 2000;
constexpr size_t kMaxScopes = 200;
constexpr const char* kNoTool = "no such tool";

std::optional<DomainError> Apply(const ToolInput& input, store::Tool& tool, bool creating) {
  if (creating && !input.name) return Invalid("name", "name is required").error;
  if (input.name && !policy::IsValidName(*input.name)) {
    return Invalid("name", "name must match [A-Za-z0-9._-]{1,200}").error;
  }
  if (input.scopes) {
    if (input.scopes->size() > kMaxScopes) return Invalid("scopes", "too many scopes").error;
    for (const auto& s : *input.scopes) {
      if (!policy::IsValidName(s)) {
        return Invalid("scopes", "each scope must match [A-Za-z0-9._-]{1,200}").error;
      }
    }
  }
  if (input.description && !IsPlainText(*input.description, kMaxDescription)) {
    return Invalid("description", "description must be text of at most 2000 bytes").error;
  }
  if (input.name) tool.name = *input.name;
  if (input.scopes) tool.scopes = *input.scopes;
  if (input.description) tool.description = *input.description;
  return std::nullopt;
}

std::string Details(const ToolInput& input) {
  nlohmann::json d = nlohmann::json::object();
  if (input.name) d["name"] = *input.name;
  if (input.scopes) d["scopes"] = *input.scopes;
  if (input.description) d["description"] = *input.description;
  return d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Outcome<std::vector<store::Tool>> ToolService::List(const Principal& who,
                                                    const Owned<store::Agent>& agent) {
  if (auto e = CheckAgent(who, agent)) return util::Fail(*e);
  return agents_.ListTools(agent->id);
}

Outcome<store::Tool> ToolService::Get(const Principal& who, const Owned<store::Agent>& agent,
                                      std::string_view name) {
  if (auto e = CheckAgent(who, agent)) return util::Fail(*e);
  auto tool = policy::IsValidName(name) ? agents_.FindTool(agent->id, name) : std::nullopt;
  if (!tool) return NotFound(kNoTool);
  return *tool;
}

Outcome<store::Tool> ToolService::Create(const Principal& who, const Owned<store::Agent>& agent,
                                         const ToolInput& input) {
  if (auto e = CheckAgentWrite(who, agent)) return util::Fail(*e);
  store::Tool tool;
  if (auto e = Apply(input, tool, true)) return util::Fail(*e);
  switch (agents_.CreateTool(
      agent->id, tool, who.Audit("tool.created", agent->id + "/" + tool.name, Details(input)))) {
    case store::WriteOutcome::kOk:
      return tool;
    case store::WriteOutcome::kConflict:
      return Conflict("the agent already has a tool of this name", "name");
    case store::WriteOutcome::kNotFound:
      break;
  }
  return NotFound("no such agent");
}

Outcome<store::Tool> ToolService::Update(const Principal& who, const Owned<store::Agent>& agent,
                                         store::Tool current, const ToolInput& input) {
  if (auto e = CheckAgentWrite(who, agent)) return util::Fail(*e);
  std::string name = current.name;
  if (input.name && *input.name != name) return Invalid("name", "a tool is not renamed");
  if (auto e = Apply(input, current, false)) return util::Fail(*e);
  if (agents_.UpdateTool(agent->id, current,
                         who.Audit("tool.updated", agent->id + "/" + name, Details(input))) !=
      store::WriteOutcome::kOk) {
    return NotFound(kNoTool);
  }
  return current;
}

Outcome<Done> ToolService::Delete(const Principal& who, const Owned<store::Agent>& agent,
                                  std::string_view name) {
  if (auto e = CheckAgentWrite(who, agent)) return util::Fail(*e);
  if (!policy::IsValidName(name) ||
      !agents_.DeleteTool(agent->id, name,
                          who.Audit("tool.deleted", agent->id + "/" + std::string(name)))) {
    return NotFound(kNoTool);
  }
  return Done{};
}

}  // namespace oakgate::manage
