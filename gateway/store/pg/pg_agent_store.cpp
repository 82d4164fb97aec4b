#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

Agent AgentFromRow(const pqxx::row& row) {
  Agent a;
  a.id = row["id"].as<std::string>();
  a.user_id = row["user_id"].as<std::string>();
  a.name = row["name"].as<std::string>();
  a.enabled = row["enabled"].as<bool>();
  a.rate_limit = row["rate_limit"].as<int64_t>();
  a.burst = row["burst"].as<int64_t>();
  a.created_at = row["created"].as<int64_t>();
  return a;
}

Tool ToolFromRow(const pqxx::row& row) {
  return Tool{row["name"].as<std::string>(), SplitWords(row["scopes"].as<std::string>("")),
              row["description"].as<std::string>("")};
}

Rule RuleFromRow(const pqxx::row& row) {
  return Rule{row["id"].as<std::string>(), row["tool"].as<std::string>(),
              row["scope"].as<std::string>(), row["require_reasoning"].as<std::string>()};
}

}  // namespace

std::optional<Agent> PgAgentStore::Create(const Agent& agent, const AuditEvent& audit) {
  return db_.Guard([&]() -> std::optional<Agent> {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kAgentCreate.name, agent.user_id, agent.name, agent.enabled,
                              agent.rate_limit, agent.burst);
    if (r.empty()) return std::nullopt;
    Agent created = AgentFromRow(r[0]);
    AuditEvent e = audit;
    e.subject = created.id;
    WriteAudit(tx, e);
    tx.commit();
    return created;
  });
}

std::optional<Agent> PgAgentStore::Find(std::string_view user_id, std::string_view agent_id) {
  return db_.Guard([&]() -> std::optional<Agent> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kAgentFind.name, std::string(user_id), std::string(agent_id));
    if (r.empty()) return std::nullopt;
    return AgentFromRow(r[0]);
  });
}

Agent PgAgentStore::FindOrCreateByName(std::string_view user_id, std::string_view name,
                                       const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kAgentFindByName.name, std::string(user_id), std::string(name));
    if (r.empty()) {
      r = tx.exec_prepared(sql::kAgentCreate.name, std::string(user_id), std::string(name), true,
                           60, 60);
      if (!r.empty()) {
        AuditEvent e = audit;
        e.subject = r[0]["id"].as<std::string>();
        WriteAudit(tx, e);
      } else {
        // Created concurrently by another request: read the winner's row.
        r = tx.exec_prepared(sql::kAgentFindByName.name, std::string(user_id), std::string(name));
      }
    }
    Agent a = AgentFromRow(r.at(0));
    tx.commit();
    return a;
  });
}

std::vector<Agent> PgAgentStore::List(std::string_view user_id) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    std::vector<Agent> out;
    for (const auto& row : tx.exec_prepared(sql::kAgentList.name, std::string(user_id))) {
      out.push_back(AgentFromRow(row));
    }
    return out;
  });
}

WriteOutcome PgAgentStore::Update(const Agent& a, const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    try {
      auto r = tx.exec_prepared(sql::kAgentUpdate.name, a.user_id, a.id, a.name, a.enabled,
                                a.rate_limit, a.burst);
      if (r.affected_rows() != 1) return WriteOutcome::kNotFound;
    } catch (const pqxx::unique_violation&) {
      return WriteOutcome::kConflict;
    }
    WriteAudit(tx, audit);
    tx.commit();
    return WriteOutcome::kOk;
  });
}

bool PgAgentStore::Delete(std::string_view user_id, std::string_view agent_id,
                          const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kAgentDelete.name, std::string(user_id), std::string(agent_id));
    if (r.affected_rows() != 1) return false;
    WriteAudit(tx, audit);
    tx.commit();
    return true;
  });
}

std::vector<Tool> PgAgentStore::ListTools(std::string_view agent_id) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    std::vector<Tool> out;
    for (const auto& row : tx.exec_prepared(sql::kToolList.name, std::string(agent_id))) {
      out.push_back(ToolFromRow(row));
    }
    return out;
  });
}

std::optional<Tool> PgAgentStore::FindTool(std::string_view agent_id, std::string_view name) {
  return db_.Guard([&]() -> std::optional<Tool> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kToolFind.name, std::string(agent_id), std::string(name));
    if (r.empty()) return std::nullopt;
    return ToolFromRow(r[0]);
  });
}

WriteOutcome PgAgentStore::CreateTool(std::string_view agent_id, const Tool& tool,
                                      const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    try {
      auto r = tx.exec_prepared(sql::kToolCreate.name, std::string(agent_id), tool.name,
                                JoinWords(tool.scopes), tool.description);
      if (r.empty()) return WriteOutcome::kConflict;
    } catch (const pqxx::foreign_key_violation&) {
      return WriteOutcome::kNotFound;  // the agent was deleted meanwhile
    }
    WriteAudit(tx, audit);
    tx.commit();
    return WriteOutcome::kOk;
  });
}

WriteOutcome PgAgentStore::UpdateTool(std::string_view agent_id, const Tool& tool,
                                      const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kToolUpdate.name, std::string(agent_id), tool.name,
                              JoinWords(tool.scopes), tool.description);
    if (r.affected_rows() != 1) return WriteOutcome::kNotFound;
    WriteAudit(tx, audit);
    tx.commit();
    return WriteOutcome::kOk;
  });
}

bool PgAgentStore::DeleteTool(std::string_view agent_id, std::string_view name,
                              const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kToolDelete.name, std::string(agent_id), std::string(name));
    if (r.affected_rows() != 1) return false;
    WriteAudit(tx, audit);
    tx.commit();
    return true;
  });
}

std::vector<Rule> PgAgentStore::ListRules(std::string_view agent_id) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    std::vector<Rule> out;
    for (const auto& row : tx.exec_prepared(sql::kRuleList.name, std::string(agent_id))) {
      out.push_back(RuleFromRow(row));
    }
    return out;
  });
}

std::optional<Rule> PgAgentStore::FindRule(std::string_view agent_id, std::string_view rule_id) {
  return db_.Guard([&]() -> std::optional<Rule> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kRuleFind.name, std::string(agent_id), std::string(rule_id));
    if (r.empty()) return std::nullopt;
    return RuleFromRow(r[0]);
  });
}

WriteOutcome PgAgentStore::CreateRule(std::string_view agent_id, Rule& rule,
                                      const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    try {
      auto r = tx.exec_prepared(sql::kRuleCreate.name, std::string(agent_id), rule.tool, rule.scope,
                                rule.require_reasoning);
      if (r.empty()) return WriteOutcome::kConflict;
      rule.id = r[0]["id"].as<std::string>();
    } catch (const pqxx::foreign_key_violation&) {
      return WriteOutcome::kNotFound;
    }
    AuditEvent e = audit;
    e.subject = rule.id;
    WriteAudit(tx, e);
    tx.commit();
    return WriteOutcome::kOk;
  });
}

WriteOutcome PgAgentStore::UpdateRule(std::string_view agent_id, const Rule& rule,
                                      const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    try {
      auto r = tx.exec_prepared(sql::kRuleUpdate.name, std::string(agent_id), rule.id, rule.tool,
                                rule.scope, rule.require_reasoning);
      if (r.affected_rows() != 1) return WriteOutcome::kNotFound;
    } catch (const pqxx::unique_violation&) {
      return WriteOutcome::kConflict;
    }
    WriteAudit(tx, audit);
    tx.commit();
    return WriteOutcome::kOk;
  });
}

bool PgAgentStore::DeleteRule(std::string_view agent_id, std::string_view rule_id,
                              const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kRuleDelete.name, std::string(agent_id), std::string(rule_id));
    if (r.affected_rows() != 1) return false;
    WriteAudit(tx, audit);
    tx.commit();
    return true;
  });
}

PolicySlice PgAgentStore::LoadPolicy(std::string_view agent_id, std::string_view tool,
                                     std::string_view scope) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    auto row = tx.exec_prepared1(sql::kPolicySlice.name, std::string(agent_id), std::string(tool),
                                 std::string(scope));
    PolicySlice slice;
    if (!row["tool_scopes"].is_null()) {
      slice.tool = Tool{std::string(tool), SplitWords(row["tool_scopes"].as<std::string>()), ""};
    }
    if (!row["rules"].is_null()) {
      // Keep the text alive: the pieces are views into it.
      const std::string rules = row["rules"].as<std::string>();
      for (auto item : util::Split(rules, ',')) {
        auto parts = util::Split(item, ' ');
        if (parts.size() != 4) continue;
        slice.rules.push_back(Rule{std::string(parts[0]), std::string(parts[1]),
                                   std::string(parts[2]), std::string(parts[3])});
      }
    }
    return slice;
  });
}

}  // namespace oakgate::store::pg
