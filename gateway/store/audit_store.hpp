#pragma once
// Audit events written on their own (the OAuth flows); stores that change state write theirs
// in the same transaction through pg::WriteAudit. Never a secret.
#include "gateway/store/audit_event.hpp"

namespace oakgate::store {

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  virtual void Record(const AuditEvent& event) = 0;
};

}  // namespace oakgate::store
