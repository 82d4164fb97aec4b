#pragma once
// An audit event is written in the same transaction as the change it describes, so the log
// never claims a change that was rolled back, nor misses one that was committed.
#include <string>

namespace oakgate::store {

struct AuditEvent {
  std::string type;  // e.g. "api_key.created"
  std::string user_id;
  // The organization it belongs to (CONTRACT §9); empty: the user's personal one, filled in
  // by the database (sql/0012), or none for events without a user.
  std::string org_id;
  std::string client_id;  // the OAuth client involved, if any
  std::string actor;      // who did it: "user:<id>" or "cli"
  std::string subject;    // what it was done to: a key_id, agent id, ...
  std::string client_address;
  std::string request_id;
  std::string details_json = "{}";
};

}  // namespace oakgate::store
