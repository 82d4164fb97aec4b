#pragma once
// Agents, their tools and their rules (CONTRACT §6). Every read and write of an agent is
// scoped by its organization (CONTRACT §9), so another organization's id is simply not found.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"

namespace oakgate::store {

struct Agent {
  std::string id;
  std::string org_id;
  std::string created_by;  // the user who created it; empty when unknown (the operator)
  std::string name;
  bool enabled = true;
  int64_t rate_limit = 60;
  int64_t burst = 60;
  int64_t created_at = 0;
};

struct Tool {
  std::string name;
  std::vector<std::string> scopes;
  std::string description;
};

struct Rule {
  std::string id;
  std::string tool;
  std::string scope;
  std::string require_reasoning = "none";
  // CONTRACT §10 (sql/0014): what the rule does, when, in which order, and how long an
  // approval it asks for waits.
  std::string effect = "allow";
  std::string conditions_json = "[]";  // the JSON array as validated on write
  int64_t priority = 0;
  int64_t approval_ttl = 3600;
};

// What /v1/validate needs about one (agent, tool, scope): the tool, if the agent has it, and
// the rules that could match it (exact or `*` on either side).
struct PolicySlice {
  std::optional<Tool> tool;
  std::vector<Rule> rules;
};

enum class WriteOutcome { kOk, kNotFound, kConflict };

class AgentStore {
 public:
  virtual ~AgentStore() = default;
  // In agent.org_id, made by agent.created_by. kNameTaken when the organization has an agent
  // of that name, kLimitReached when it has max_agents already (checked under a lock of the
  // organization, so concurrent creations cannot pass the limit together).
  enum class CreateOutcome { kOk, kNameTaken, kLimitReached };
  virtual CreateOutcome Create(Agent& agent, const AuditEvent& audit) = 0;
  virtual std::optional<Agent> Find(std::string_view org_id, std::string_view agent_id) = 0;
  virtual std::optional<Agent> FindByName(std::string_view org_id, std::string_view name) = 0;
  // The organization's agent of that name, created (with defaults, by `created_by`) when
  // missing; nullopt when it is missing and the organization is at its max_agents.
  virtual std::optional<Agent> FindOrCreateByName(std::string_view org_id, std::string_view name,
                                                  std::string_view created_by,
                                                  const AuditEvent& audit) = 0;
  virtual std::vector<Agent> List(std::string_view org_id) = 0;
  // Writes name, enabled, rate_limit and burst of the agent (id and org_id select it).
  virtual WriteOutcome Update(const Agent& agent, const AuditEvent& audit) = 0;
  virtual bool Delete(std::string_view org_id, std::string_view agent_id,
                      const AuditEvent& audit) = 0;

  // Tools and rules of an agent the caller has already found for its owner.
  virtual std::vector<Tool> ListTools(std::string_view agent_id) = 0;
  virtual std::optional<Tool> FindTool(std::string_view agent_id, std::string_view name) = 0;
  virtual WriteOutcome CreateTool(std::string_view agent_id, const Tool& tool,
                                  const AuditEvent& audit) = 0;
  virtual WriteOutcome UpdateTool(std::string_view agent_id, const Tool& tool,
                                  const AuditEvent& audit) = 0;
  virtual bool DeleteTool(std::string_view agent_id, std::string_view name,
                          const AuditEvent& audit) = 0;

  virtual std::vector<Rule> ListRules(std::string_view agent_id) = 0;
  virtual std::optional<Rule> FindRule(std::string_view agent_id, std::string_view rule_id) = 0;
  // Fills rule.id on success. Several rules may share (tool, scope) (CONTRACT §10).
  virtual WriteOutcome CreateRule(std::string_view agent_id, Rule& rule,
                                  const AuditEvent& audit) = 0;
  virtual WriteOutcome UpdateRule(std::string_view agent_id, const Rule& rule,
                                  const AuditEvent& audit) = 0;
  virtual bool DeleteRule(std::string_view agent_id, std::string_view rule_id,
                          const AuditEvent& audit) = 0;

  // One round trip, served by the primary key of tools and the unique index of rules.
  virtual PolicySlice LoadPolicy(std::string_view agent_id, std::string_view tool,
                                 std::string_view scope) = 0;
};

}  // namespace oakgate::store
