#pragma once
// Consent remembered per user and client: the scope and resource sets the user approved.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"

namespace oakgate::store {

struct Consent {
  std::vector<std::string> scopes;
  std::vector<std::string> resources;  // RFC 8707 resources the user approved
};

class ConsentStore {
 public:
  virtual ~ConsentStore() = default;
  virtual std::optional<Consent> Find(std::string_view user_id, std::string_view client_id) = 0;
  // Replaces the remembered scope and resource sets, with `audit` in the same transaction.
  virtual void Save(std::string_view user_id, std::string_view client_id, const Consent& consent,
                    const AuditEvent& audit) = 0;
};

}  // namespace oakgate::store
