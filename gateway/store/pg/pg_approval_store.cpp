#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

Approval ReadApproval(const pqxx::row& row) {
  Approval a;
  a.id = row["id"].as<std::string>();
  a.org_id = row["org_id"].as<std::string>();
  a.agent_id = row["agent_id"].as<std::string>();
  a.agent_name = row["agent_name"].as<std::string>();
  a.key_id = row["key_id"].as<std::string>();
  a.rule_id = OptionalText(row["rule_id"]);
  a.tool = row["tool"].as<std::string>();
  a.scope = row["scope"].as<std::string>();
  a.context_json = OptionalText(row["context"]);
  a.reasoning = OptionalText(row["reasoning"]);
  a.status = row["status"].as<std::string>();
  a.decided_by = OptionalText(row["decided_by"]);
  a.decided_at = OptionalInt(row["decided"]);
  a.comment = OptionalText(row["comment"]);
  a.created_at = row["created"].as<int64_t>();
  a.expires_at = row["expires"].as<int64_t>();
  a.decision_id = row["decision_id"].as<std::string>();
  a.used_decision_id = OptionalText(row["used_decision_id"]);
  return a;
}

// One decision, inserted (and counted for usage) by the group commit's own statement, inside
// the caller's transaction.
void RecordDecision(pqxx::transaction_base& tx, const DecisionRecord& d) {
  tx.exec_prepared(sql::kDecisionInsertBatch.name, DecisionBatchJson({d}));
}

}  // namespace

Approval PgApprovalStore::Ask(const NewApproval& fresh, DecisionRecord& pending,
                              const AuditEvent& opened, int64_t now) {
  return Transact(db_, [&](pqxx::work& tx) {
    tx.exec_prepared(sql::kApprovalExpireStale.name, fresh.agent_id, fresh.tool, fresh.scope,
                     Bytea(fresh.context_hash), now);
    auto inserted =
        tx.exec_prepared(sql::kApprovalOpen.name, fresh.id, fresh.org_id, fresh.agent_id,
                         fresh.key_id, OrNull(fresh.rule_id), fresh.tool, fresh.scope,
                         OrNull(fresh.context_json), Bytea(fresh.context_hash),
                         OrNull(fresh.reasoning), fresh.created_at, fresh.expires_at, pending.id);
    if (!inserted.empty()) {
      AuditEvent event = opened;
      event.subject = "approval:" + fresh.id;
      WriteAudit(tx, event);
    }
    auto found = tx.exec_prepared(sql::kApprovalFindPending.name, fresh.agent_id, fresh.tool,
                                  fresh.scope, Bytea(fresh.context_hash), now);
    // The pending one is this transaction's or a committed one's (ON CONFLICT waited for it).
    Approval a = ReadApproval(found.at(0));
    pending.approval_id = a.id;
    RecordDecision(tx, pending);
    return a;
  });
}

ApprovalStore::UseOutcome PgApprovalStore::Use(std::string_view id, std::string_view agent_id,
                                               std::string_view tool, std::string_view scope,
                                               std::string_view context_hash,
                                               DecisionRecord& allowed, const AuditEvent& audit,
                                               int64_t now) {
  return Transact(db_, [&](pqxx::work& tx) {
    auto r = tx.exec_prepared(sql::kApprovalLockForUse.name, std::string(id), std::string(agent_id),
                              now);
    if (r.empty()) return UseOutcome::kMismatch;
    Approval a = ReadApproval(r[0]);
    pqxx::binarystring hash(r[0]["context_hash"]);
    if (a.tool != tool || a.scope != scope || hash.str() != context_hash) {
      return UseOutcome::kMismatch;
    }
    if (a.status == "pending") return UseOutcome::kPending;
    if (a.status == "denied") return UseOutcome::kDenied;
    if (a.status == "used") return UseOutcome::kUsedAlready;
    if (a.status != "approved") return UseOutcome::kExpired;
    tx.exec_prepared(sql::kApprovalMarkUsed.name, a.id, now, allowed.id);
    allowed.approval_id = a.id;
    RecordDecision(tx, allowed);
    AuditEvent event = audit;
    event.subject = "approval:" + a.id;
    WriteAudit(tx, event);
    return UseOutcome::kUsed;
  });
}

std::optional<Approval> PgApprovalStore::FindForAgent(std::string_view agent_id,
                                                      std::string_view id, int64_t now) {
  return QueryOne(db_, sql::kApprovalFindForAgent, ReadApproval, std::string(agent_id),
                  std::string(id), now);
}

std::vector<Approval> PgApprovalStore::List(const ApprovalQuery& q, int64_t now) {
  std::optional<std::string> cursor_time, cursor_id;
  if (q.cursor) {
    auto colon = q.cursor->find(':');
    cursor_time = q.cursor->substr(0, colon);
    cursor_id = q.cursor->substr(colon + 1);
  }
  return QueryAll(db_, sql::kApprovalList, ReadApproval, q.org_id, now, OrNull(q.status),
                  OrNull(q.agent_id), OrNull(cursor_time), OrNull(cursor_id), q.limit,
                  q.pending_first);
}

std::optional<Approval> PgApprovalStore::Find(std::string_view org_id, std::string_view id,
                                              int64_t now) {
  return QueryOne(db_, sql::kApprovalFind, ReadApproval, std::string(org_id), std::string(id), now);
}

ApprovalStore::DecideOutcome PgApprovalStore::Decide(std::string_view org_id, std::string_view id,
                                                     bool approve, std::string_view user_id,
                                                     const std::optional<std::string>& comment,
                                                     const AuditEvent& audit, int64_t now,
                                                     Approval& decided) {
  return Transact(db_, [&](pqxx::work& tx) {
    auto r = tx.exec_prepared(sql::kApprovalLockForDecision.name, std::string(org_id),
                              std::string(id), now);
    if (r.empty()) return DecideOutcome::kNotFound;
    if (r[0]["status"].as<std::string>() != "pending") return DecideOutcome::kNotPending;
    int64_t usable_until = now + r[0]["ttl"].as<int64_t>();
    tx.exec_prepared(sql::kApprovalDecide.name, std::string(org_id), std::string(id),
                     std::string(approve ? "approved" : "denied"), std::string(user_id), now,
                     OrNull(comment), usable_until);
    WriteAudit(tx, audit);
    decided = ReadApproval(
        tx.exec_prepared(sql::kApprovalFind.name, std::string(org_id), std::string(id), now).at(0));
    return DecideOutcome::kOk;
  });
}

}  // namespace oakgate::store::pg
