#pragma once
// Agents (CONTRACT §6): what a principal may list, read, create, change and delete. Every
// call is scoped by the principal's organization (CONTRACT §9); another organization's agent
// is "not found", never "forbidden", so ids cannot be probed. Needs the scope `agents`; every
// member reads, owners and admins change.
#include <optional>
#include <string>
#include <vector>

#include "gateway/manage/domain_error.hpp"
#include "gateway/manage/owned.hpp"
#include "gateway/manage/principal.hpp"
#include "gateway/store/agent_store.hpp"

namespace oakgate::manage {

inline constexpr int64_t kMaxRate = 1000000;

// The writable fields of an agent; absent fields are left as they are (or defaulted on
// creation: rate 60 a minute, burst equal to the rate).
struct AgentInput {
  std::optional<std::string> name;
  std::optional<bool> enabled;
  std::optional<int64_t> rate_limit;
  std::optional<int64_t> burst;
};

// Forbidden unless the principal holds `scope`.
std::optional<DomainError> MissingScope(const Principal& who, std::string_view scope);
// Forbidden without the scope `agents`; not found when `agent` was found for another
// organization.
std::optional<DomainError> CheckAgent(const Principal& who, const Owned<store::Agent>& agent);
// The same, and forbidden unless the principal's role may change the agent, its tools and
// its rules (owners and admins).
std::optional<DomainError> CheckAgentWrite(const Principal& who, const Owned<store::Agent>& agent);
// Forbidden unless the principal's role manages the organization's agents.
std::optional<DomainError> NotManager(const Principal& who);

class AgentService {
 public:
  explicit AgentService(store::AgentStore& agents) : agents_(agents) {}
  Outcome<std::vector<store::Agent>> List(const Principal& who);
  // The principal's agent: the one way to an agent's tools and rules (see owned.hpp).
  Outcome<Owned<store::Agent>> Get(const Principal& who, std::string_view agent_id);
  Outcome<store::Agent> Create(const Principal& who, const AgentInput& input);
  Outcome<store::Agent> Update(const Principal& who, const Owned<store::Agent>& agent,
                               const AgentInput& input);
  Outcome<Done> Delete(const Principal& who, std::string_view agent_id);

 private:
  store::AgentStore& agents_;
};

}  // namespace oakgate::manage
