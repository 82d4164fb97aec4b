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
  // The owner. The API and the dashboard always set it; only the operator CLI leaves it out.
  std::optional<std::string> user_id;
  std::optional<std::string> type;
  std::optional<int64_t> from;    // inclusive, Unix seconds
  std::optional<int64_t> to;      // exclusive
  std::optional<int64_t> before;  // id < before (the cursor)
  int64_t limit = 50;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  virtual void Record(const AuditEvent& event) = 0;
  // Newest first (by id).
  virtual std::vector<AuditRecord> List(const AuditQuery& query) = 0;
};

}  // namespace oakgate::store
