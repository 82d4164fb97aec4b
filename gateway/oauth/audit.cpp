#include "gateway/oauth/audit.hpp"

namespace oakgate::oauth {

store::AuditEvent AuditEventOf(const Caller& caller, const AuditEntry& entry) {
  store::AuditEvent e;
  e.type = entry.type;
  e.user_id = entry.user_id;
  e.client_id = entry.client_id;
  e.actor = entry.user_id.empty() ? entry.client_id : entry.user_id;
  e.subject = entry.subject;
  e.client_address = caller.client_address;
  e.request_id = caller.request_id;
  e.details_json = entry.details_json.empty() ? "{}" : entry.details_json;
  return e;
}

void RecordAudit(store::AuditStore& audit, const Caller& caller, const AuditEntry& entry) {
  audit.Record(AuditEventOf(caller, entry));
}

}  // namespace oakgate::oauth
