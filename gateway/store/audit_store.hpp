#pragma once
// Audit events: who did what, when, under which request id. Never a secret.
#include <string>

namespace oakgate::store {

struct AuditEvent {
  std::string type;  // e.g. "oauth.token_issued"
  std::string user_id;
  std::string client_id;
  std::string actor;
  std::string subject;
  std::string client_address;
  std::string request_id;
  std::string details_json = "{}";
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  virtual void Record(const AuditEvent& event) = 0;
};

}  // namespace oakgate::store
