#pragma once
// Audit events written on their own (the OAuth flows); stores that change state write theirs
// in the same transaction through pg::WriteAudit. Never a secret.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/store/audit_event.hpp"

namespace oakgate::store {

// An event as read back, with the columns the database fills in.
struct AuditRecord {
  int64_t id = 0;  // also the keyset cursor: newest first is id DESC
  int64_t created_at = 0;
  AuditEvent event;
};

struct AuditQuery {
  // The organization. The API and the dashboard always set it; only the operator CLI leaves
  // it out.
  std::optional<std::string> org_id;
  // Only the operator's list (without org_id): the events of this user, in any organization.
  std::optional<std::string> user_id;
  std::optional<std::string> type;
  std::optional<int64_t> from;    // inclusive, Unix seconds
  std::optional<int64_t> to;      // exclusive
  std::optional<int64_t> before;  // id < before (the cursor)
  int64_t limit = 50;
};

// One row of the tamper-evident chain (sql/0011_audit_chain.sql): hash =
// SHA-256(prev_hash || content), hashes in lower-case hex ("" when the row has none).
struct AuditLink {
  int64_t id = 0;
  std::string prev_hash;
  std::string hash;
  std::string content;  // the row's canonical content, as the database hashed it
};

// The newest row as the chain's head remembers it.
struct AuditChainHead {
  int64_t last_id = 0;
  std::string hash;  // lower-case hex
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  virtual void Record(const AuditEvent& event) = 0;
  // Newest first (by id).
  virtual std::vector<AuditRecord> List(const AuditQuery& query) = 0;
  // The chain in its order (id ascending), `limit` rows after `after_id`.
  virtual std::vector<AuditLink> ChainAfter(int64_t after_id, int64_t limit) = 0;
  // nullopt when the head row is missing (it is made by 0011 and never deleted).
  virtual std::optional<AuditChainHead> ChainHead() = 0;
};

}  // namespace oakgate::store
