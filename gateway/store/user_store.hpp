#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"
#include "gateway/store/rows.hpp"

namespace oakgate::store {

class UserStore {
 public:
  virtual ~UserStore() = default;
  virtual std::optional<User> FindByEmail(std::string_view normalized_email) = 0;
  // Each of these writes `audit` in its transaction, with the user's id as its user and (when
  // empty) its subject. nullopt when a user with that email already exists.
  virtual std::optional<User> Create(std::string_view email, std::string_view normalized_email,
                                     std::string_view password_hash, bool is_admin,
                                     const AuditEvent& audit) = 0;
  // Sets the password hash, ends the user's sessions and revokes their token families (and
  // unused codes), in one transaction; API keys stay. False when no user has that email.
  virtual bool SetPassword(std::string_view normalized_email, std::string_view password_hash,
                           const AuditEvent& audit) = 0;
  // Disables the user, ends their sessions and revokes their token families and API keys, in
  // one transaction.
  virtual bool Disable(std::string_view normalized_email, const AuditEvent& audit) = 0;
  // The same by id, with an audit event (the admin pages).
  virtual bool DisableById(std::string_view user_id, const AuditEvent& audit) = 0;
  virtual std::vector<UserSummary> List() = 0;
  // Ends every session and revokes every token family (and unused code) of the user, in one
  // transaction.
  virtual void SignOutEverywhere(std::string_view user_id, const AuditEvent& audit) = 0;
};

}  // namespace oakgate::store
