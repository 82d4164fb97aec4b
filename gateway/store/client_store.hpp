#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"
#include "gateway/store/rows.hpp"

namespace oakgate::store {

// Every change writes its `audit` event in its own transaction, and only when it changed
// something.
class ClientStore {
 public:
  virtual ~ClientStore() = default;
  // false when the id is taken.
  virtual bool Create(const Client& client, const AuditEvent& audit) = 0;
  virtual std::optional<Client> Find(std::string_view id) = 0;
  virtual std::vector<Client> List() = 0;
  // Deletes the client, its consents and its tokens (cascade). false when unknown.
  virtual bool Delete(std::string_view id, const AuditEvent& audit) = 0;
  // Writes name, redirect URIs, scopes, grant types, first-party and introspect flags.
  virtual bool Update(const Client& client, const AuditEvent& audit) = 0;
  // The current secret becomes the previous one for grace_seconds.
  virtual bool RotateSecret(std::string_view id, std::string_view new_secret_hash,
                            int64_t grace_seconds, const AuditEvent& audit) = 0;
};

}  // namespace oakgate::store
