#pragma once
// Approvals (CONTRACT §10): what an `ask` rule opens, a human decides, and the agent uses once.
// Every change of one is written with its audit event, and the decisions that ask for or use
// one are written in the same transaction as the approval's change, so an approval is never
// used without its allowed decision on record, nor opened without its pending one.
//
// Times are the gateway's (its injected Clock decides expiry), passed in as Unix seconds.
// A pending or approved approval past expires_at reads as `expired` whatever its row says.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"
#include "gateway/store/decision_store.hpp"

namespace oakgate::store {

struct Approval {
  std::string id;
  std::string org_id;
  std::string agent_id;
  std::string agent_name;  // filled on reads for people
  std::string key_id;
  std::optional<std::string> rule_id;
  std::string tool;
  std::string scope;
  std::optional<std::string> context_json;
  std::optional<std::string> reasoning;
  std::string status;  // pending, approved, denied, used, expired (as it reads now)
  std::optional<std::string> decided_by;
  std::optional<int64_t> decided_at;
  std::optional<std::string> comment;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::string decision_id;  // the pending decision that opened it
  std::optional<std::string> used_decision_id;
};

// What an ask opens: the caller chooses the id and the times.
struct NewApproval {
  std::string id;
  std::string org_id;
  std::string agent_id;
  std::string key_id;
  std::optional<std::string> rule_id;
  std::string tool;
  std::string scope;
  std::optional<std::string> context_json;
  std::string context_hash;  // 32 raw bytes
  std::optional<std::string> reasoning;
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

struct ApprovalQuery {
  std::string org_id;
  std::optional<std::string> status;  // as it reads now
  std::optional<std::string> agent_id;
  std::optional<std::string> cursor;  // created_at and id of the last row seen, "<secs>:<id>"
  int64_t limit = 50;
  bool pending_first = false;  // the dashboard's inbox: pending ones, then the rest
};

class ApprovalStore {
 public:
  virtual ~ApprovalStore() = default;

  // The agent's pending approval for (tool, scope, context hash), or `fresh` opened (with
  // `opened` as its audit event); either way `pending` (its approval_id set here) is recorded
  // with it, in one transaction. Returns the approval the agent waits on.
  virtual Approval Ask(const NewApproval& fresh, DecisionRecord& pending, const AuditEvent& opened,
                       int64_t now) = 0;

  enum class UseOutcome { kUsed, kPending, kDenied, kUsedAlready, kExpired, kMismatch };
  // The agent's use of approval `id` for (tool, scope, context hash): when it is approved and
  // all of these match, it becomes used and `allowed` (its approval_id set here) is recorded,
  // with `audit`, in one transaction. Anything else changes nothing.
  virtual UseOutcome Use(std::string_view id, std::string_view agent_id, std::string_view tool,
                         std::string_view scope, std::string_view context_hash,
                         DecisionRecord& allowed, const AuditEvent& audit, int64_t now) = 0;

  // The agent's own approval (GET /v1/approvals/{id}), or nullopt.
  virtual std::optional<Approval> FindForAgent(std::string_view agent_id, std::string_view id,
                                               int64_t now) = 0;

  // For people: the organization's approvals, newest first (pending first when asked).
  virtual std::vector<Approval> List(const ApprovalQuery& query, int64_t now) = 0;
  virtual std::optional<Approval> Find(std::string_view org_id, std::string_view id,
                                       int64_t now) = 0;

  enum class DecideOutcome { kOk, kNotFound, kNotPending };
  // Approves or denies a pending approval, under a lock of its row. An approval is usable for
  // as long after its approval as it could wait for it (the rule's approval_ttl): approving
  // moves expires_at to now + (expires_at - created_at).
  virtual DecideOutcome Decide(std::string_view org_id, std::string_view id, bool approve,
                               std::string_view user_id, const std::optional<std::string>& comment,
                               const AuditEvent& audit, int64_t now, Approval& decided) = 0;
};

}  // namespace oakgate::store
