#include "gateway/manage/agent_service.hpp"

#include <nlohmann/json.hpp>

#include "gateway/manage/fields.hpp"
#include "gateway/policy/rules.hpp"

namespace oakgate::manage {
namespace {

constexpr const char* kNoAgent = "no such agent";
constexpr const char* kNameInUse = "an agent with this name exists";

// Checks `input` and applies it to `agent`.
std::optional<DomainError> Apply(const AgentInput& input, store::Agent& agent, bool creating) {
  if (creating && !input.name) return Invalid("name", "name is required").error;
  if (input.name && !policy::IsValidName(*input.name)) {
    return Invalid("name", "name must match [A-Za-z0-9._-]{1,200}").error;
  }
  if (input.rate_limit) {
    if (auto e = OutOfRange("rate_limit", *input.rate_limit, 1, kMaxRate)) return e;
  }
  if (input.burst) {
    if (auto e = OutOfRange("burst", *input.burst, 1, kMaxRate)) return e;
  }
  if (input.name) agent.name = *input.name;
  if (input.enabled) agent.enabled = *input.enabled;
  if (input.rate_limit) agent.rate_limit = *input.rate_limit;
  // The burst defaults to the rate (CONTRACT §6).
  if (input.burst) {
    agent.burst = *input.burst;
  } else if (creating && input.rate_limit) {
    agent.burst = *input.rate_limit;
  }
  return std::nullopt;
}

// The fields given, as the audit event's details.
std::string Details(const AgentInput& input) {
  nlohmann::json d = nlohmann::json::object();
  if (input.name) d["name"] = *input.name;
  if (input.enabled) d["enabled"] = *input.enabled;
  if (input.rate_limit) d["rate_limit"] = *input.rate_limit;
  if (input.burst) d["burst"] = *input.burst;
  return d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::optional<DomainError> MissingScope(const Principal& who, std::string_view scope) {
  if (who.HasScope(scope)) return std::nullopt;
  return Forbidden("the credential lacks the scope \"" + std::string(scope) + "\"").error;
}

std::optional<DomainError> CheckAgent(const Principal& who, const Owned<store::Agent>& agent) {
  if (auto e = MissingScope(who, kAgentsScope)) return e;
  if (agent.owner() != who.org_id) return NotFound(kNoAgent).error;
  return std::nullopt;
}

std::optional<DomainError> NotManager(const Principal& who) {
  if (who.CanManage()) return std::nullopt;
  return Forbidden("your role in this organization does not allow this").error;
}

std::optional<DomainError> CheckAgentWrite(const Principal& who, const Owned<store::Agent>& agent) {
  if (auto e = CheckAgent(who, agent)) return e;
  return NotManager(who);
}

Outcome<std::vector<store::Agent>> AgentService::List(const Principal& who) {
  if (auto e = MissingScope(who, kAgentsScope)) return util::Fail(*e);
  return agents_.List(who.org_id);
}

Outcome<Owned<store::Agent>> AgentService::Get(const Principal& who, std::string_view agent_id) {
  if (auto e = MissingScope(who, kAgentsScope)) return util::Fail(*e);
  // Another user's agent and one that does not exist look the same.
  if (!IsUuid(agent_id)) return NotFound(kNoAgent);
  auto agent = agents_.Find(who.org_id, agent_id);
  if (!agent) return NotFound(kNoAgent);
  return Owned<store::Agent>(OwnershipChecked(), std::move(*agent), who.org_id);
}

Outcome<store::Agent> AgentService::Create(const Principal& who, const AgentInput& input) {
  if (auto e = MissingScope(who, kAgentsScope)) return util::Fail(*e);
  if (auto e = NotManager(who)) return util::Fail(*e);
  store::Agent agent;
  agent.org_id = who.org_id;
  agent.created_by = who.user_id;
  if (auto e = Apply(input, agent, true)) return util::Fail(*e);
  switch (agents_.Create(
      agent, who.Audit("agent.created", "", nlohmann::json{{"name", agent.name}}.dump()))) {
    case store::AgentStore::CreateOutcome::kOk:
      return agent;
    case store::AgentStore::CreateOutcome::kNameTaken:
      return Conflict(kNameInUse, "name");
    case store::AgentStore::CreateOutcome::kLimitReached:
      break;
  }
  return QuotaExceeded("the organization has as many agents as its plan allows");
}

Outcome<store::Agent> AgentService::Update(const Principal& who, const Owned<store::Agent>& agent,
                                           const AgentInput& input) {
  if (auto e = CheckAgentWrite(who, agent)) return util::Fail(*e);
  store::Agent updated = *agent;
  if (auto e = Apply(input, updated, false)) return util::Fail(*e);
  switch (agents_.Update(updated, who.Audit("agent.updated", updated.id, Details(input)))) {
    case store::WriteOutcome::kOk:
      return updated;
    case store::WriteOutcome::kConflict:
      return Conflict(kNameInUse, "name");
    case store::WriteOutcome::kNotFound:
      break;
  }
  return NotFound(kNoAgent);
}

Outcome<Done> AgentService::Delete(const Principal& who, std::string_view agent_id) {
  if (auto e = MissingScope(who, kAgentsScope)) return util::Fail(*e);
  if (!IsUuid(agent_id)) return NotFound(kNoAgent);
  // A member learns "forbidden" only of an agent of its own organization.
  if (auto e = NotManager(who)) {
    if (agents_.Find(who.org_id, agent_id)) return util::Fail(*e);
    return NotFound(kNoAgent);
  }
  if (!agents_.Delete(who.org_id, agent_id, who.Audit("agent.deleted", std::string(agent_id)))) {
    return NotFound(kNoAgent);
  }
  return Done{};
}

}  // namespace oakgate::manage
