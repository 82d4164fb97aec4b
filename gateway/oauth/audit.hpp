#pragma once
// Audit events for OAuth (authorize, consent, token issue, refresh, reuse, revoke, failed
// client authentication). Never a secret: token and code values are not recorded.
#include <string>

#include "gateway/oauth/settings.hpp"
#include "gateway/store/database.hpp"

namespace oakgate::oauth {

struct AuditEntry {
  std::string type;
  std::string user_id;
  std::string client_id;
  std::string subject;       // e.g. "family:12"
  std::string details_json;  // "" for {}
};

// Records an event that records no change of its own (a refusal: a failed client
// authentication, a denied consent), in a transaction of its own. Every event of a change is
// written by its store, in the change's transaction (AuditEventOf). A database failure is
// thrown (util::ServiceUnavailable), never swallowed: the request is answered 503 rather than
// served without its event.
void RecordAudit(store::AuditStore& audit, const Caller& caller, const AuditEntry& entry);
inline void RecordAudit(store::Database& db, const Caller& caller, const AuditEntry& entry) {
  RecordAudit(db.Audit(), caller, entry);
}
// The event as a store writes it, for a store that records it in its own transaction.
store::AuditEvent AuditEventOf(const Caller& caller, const AuditEntry& entry);

}  // namespace oakgate::oauth
