#include <nlohmann/json.hpp>

#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

Agent AgentFromRow(const pqxx::row& row) {
  Agent a;
  a.id = row["id"].as<std::string>();
  a.org_id = row["org_id"].as<std::string>();
  a.created_by = row["created_by"].as<std::string>("");
  a.name = row["name"].as<std::string>();
  a.enabled = row["enabled"].as<bool>();
  a.rate_limit = row["rate_limit"].as<int64_t>();
  a.burst = row["burst"].as<int64_t>();
  a.created_at = row["created"].as<int64_t>();
  return a;
}

Tool ToolFromRow(const pqxx::row& row) {
  return Tool{row["name"].as<std::string>(), ListField(row["scopes"]),
              row["description"].as<std::string>("")};
}

Rule RuleFromRow(const pqxx::row& row) {
  return Rule{row["id"].as<std::string>(),     row["tool"].as<std::string>(),
              row["scope"].as<std::string>(),  row["require_reasoning"].as<std::string>(),
              row["effect"].as<std::string>(), row["conditions"].as<std::string>(),
              row["priority"].as<int64_t>(),   row["approval_ttl"].as<int64_t>()};
}

// A statement that inserts ... ON CONFLICT DO NOTHING RETURNING: no row means the name is taken.
WriteOutcome Created(const pqxx::result& r) {
  return r.empty() ? WriteOutcome::kConflict : WriteOutcome::kOk;
}

}  // namespace

namespace {

// Under a lock of the organization's row: creates the agent unless the organization is at its
// max_agents or has an agent of that name. The row (or why there is none) is the answer.
AgentStore::CreateOutcome CreateLocked(pqxx::work& tx, const Agent& a, pqxx::result& created) {
  auto limit = tx.exec_prepared1(sql::kAgentLimitLock.name, a.org_id);
  if (!limit[0].is_null() && tx.exec_prepared1(sql::kAgentCount.name, a.org_id)[0].as<int64_t>() >=
                                 limit[0].as<int64_t>()) {
    return AgentStore::CreateOutcome::kLimitReached;
  }
  created = tx.exec_prepared(sql::kAgentCreate.name, a.org_id, a.created_by, a.name, a.enabled,
                             a.rate_limit, a.burst);
  return created.empty() ? AgentStore::CreateOutcome::kNameTaken : AgentStore::CreateOutcome::kOk;
}

}  // namespace

AgentStore::CreateOutcome PgAgentStore::Create(Agent& agent, const AuditEvent& audit) {
  CreateOutcome outcome = CreateOutcome::kNameTaken;
  AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent& event) {
    pqxx::result r;
    outcome = CreateLocked(tx, agent, r);
    if (outcome != CreateOutcome::kOk) return WriteOutcome::kConflict;
    agent = AgentFromRow(r[0]);
    event.subject = agent.id;
    return WriteOutcome::kOk;
  });
  return outcome;
}

std::optional<Agent> PgAgentStore::Find(std::string_view org_id, std::string_view agent_id) {
  return QueryOne(db_, sql::kAgentFind, AgentFromRow, std::string(org_id), std::string(agent_id));
}

std::optional<Agent> PgAgentStore::FindByName(std::string_view org_id, std::string_view name) {
  return QueryOne(db_, sql::kAgentFindByName, AgentFromRow, std::string(org_id), std::string(name));
}

std::optional<Agent> PgAgentStore::FindOrCreateByName(std::string_view org_id,
                                                      std::string_view name,
                                                      std::string_view created_by,
                                                      const AuditEvent& audit) {
  std::string org(org_id), agent_name(name);
  return Transact(db_, [&](pqxx::work& tx) -> std::optional<Agent> {
    auto r = tx.exec_prepared(sql::kAgentFindByName.name, org, agent_name);
    if (!r.empty()) return AgentFromRow(r[0]);
    Agent a;
    a.org_id = org;
    a.created_by = std::string(created_by);
    a.name = agent_name;
    switch (CreateLocked(tx, a, r)) {
      case CreateOutcome::kOk: {
        AuditEvent e = audit;
        e.subject = r[0]["id"].as<std::string>();
        WriteAudit(tx, e);
        break;
      }
      case CreateOutcome::kNameTaken:
        // Created concurrently by another request: read the winner's row.
        r = tx.exec_prepared(sql::kAgentFindByName.name, org, agent_name);
        break;
      case CreateOutcome::kLimitReached:
        return std::nullopt;
    }
    return AgentFromRow(r.at(0));
  });
}

std::vector<Agent> PgAgentStore::List(std::string_view org_id) {
  return QueryAll(db_, sql::kAgentList, AgentFromRow, std::string(org_id));
}

WriteOutcome PgAgentStore::Update(const Agent& a, const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kAgentUpdate, a.org_id, a.id, a.name, a.enabled,
                       a.rate_limit, a.burst);
}

bool PgAgentStore::Delete(std::string_view org_id, std::string_view agent_id,
                          const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kAgentDelete, std::string(org_id), std::string(agent_id)) ==
         WriteOutcome::kOk;
}

std::vector<Tool> PgAgentStore::ListTools(std::string_view agent_id) {
  return QueryAll(db_, sql::kToolList, ToolFromRow, std::string(agent_id));
}

std::optional<Tool> PgAgentStore::FindTool(std::string_view agent_id, std::string_view name) {
  return QueryOne(db_, sql::kToolFind, ToolFromRow, std::string(agent_id), std::string(name));
}

WriteOutcome PgAgentStore::CreateTool(std::string_view agent_id, const Tool& tool,
                                      const AuditEvent& audit) {
  // A foreign-key violation (the agent was deleted meanwhile) is kNotFound.
  return AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent&) {
    return Created(tx.exec_prepared(sql::kToolCreate.name, std::string(agent_id), tool.name,
                                    util::JoinList(tool.scopes), tool.description));
  });
}

WriteOutcome PgAgentStore::UpdateTool(std::string_view agent_id, const Tool& tool,
                                      const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kToolUpdate, std::string(agent_id), tool.name,
                       util::JoinList(tool.scopes), tool.description);
}

bool PgAgentStore::DeleteTool(std::string_view agent_id, std::string_view name,
                              const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kToolDelete, std::string(agent_id), std::string(name)) ==
         WriteOutcome::kOk;
}

std::vector<Rule> PgAgentStore::ListRules(std::string_view agent_id) {
  return QueryAll(db_, sql::kRuleList, RuleFromRow, std::string(agent_id));
}

std::optional<Rule> PgAgentStore::FindRule(std::string_view agent_id, std::string_view rule_id) {
  return QueryOne(db_, sql::kRuleFind, RuleFromRow, std::string(agent_id), std::string(rule_id));
}

WriteOutcome PgAgentStore::CreateRule(std::string_view agent_id, Rule& rule,
                                      const AuditEvent& audit) {
  return AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent& event) {
    auto r = tx.exec_prepared(sql::kRuleCreate.name, std::string(agent_id), rule.tool, rule.scope,
                              rule.require_reasoning, rule.effect, rule.conditions_json,
                              rule.priority, rule.approval_ttl);
    rule.id = event.subject = r[0]["id"].as<std::string>();
    return WriteOutcome::kOk;
  });
}

WriteOutcome PgAgentStore::UpdateRule(std::string_view agent_id, const Rule& rule,
                                      const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kRuleUpdate, std::string(agent_id), rule.id, rule.tool,
                       rule.scope, rule.require_reasoning, rule.effect, rule.conditions_json,
                       rule.priority, rule.approval_ttl);
}

bool PgAgentStore::DeleteRule(std::string_view agent_id, std::string_view rule_id,
                              const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kRuleDelete, std::string(agent_id), std::string(rule_id)) ==
         WriteOutcome::kOk;
}

PolicySlice PgAgentStore::LoadPolicy(std::string_view agent_id, std::string_view tool,
                                     std::string_view scope) {
  return QueryRow(
      db_, sql::kPolicySlice,
      [&](const pqxx::row& row) {
        PolicySlice slice;
        if (!row["tool_scopes"].is_null()) {
          slice.tool = Tool{std::string(tool), ListField(row["tool_scopes"]), ""};
        }
        if (!row["rules"].is_null()) {
          // [[id, tool, scope, require_reasoning, effect, conditions, priority, approval_ttl]]
          auto rules = nlohmann::json::parse(row["rules"].c_str());
          for (const auto& r : rules) {
            slice.rules.push_back(Rule{r[0].get<std::string>(), r[1].get<std::string>(),
                                       r[2].get<std::string>(), r[3].get<std::string>(),
                                       r[4].get<std::string>(), r[5].dump(), r[6].get<int64_t>(),
                                       r[7].get<int64_t>()});
          }
        }
        return slice;
      },
      std::string(agent_id), std::string(tool), std::string(scope));
}

}  // namespace oakgate::store::pg
