#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "gateway/store/rows.hpp"

namespace oakgate::store {

class UserStore {
 public:
  virtual ~UserStore() = default;
  virtual std::optional<User> FindByEmail(std::string_view normalized_email) = 0;
  // nullopt when a user with that email already exists.
  virtual std::optional<User> Create(std::string_view email, std::string_view normalized_email,
                                     std::string_view password_hash, bool is_admin) = 0;
  virtual bool SetPassword(std::string_view normalized_email, std::string_view password_hash) = 0;
  // Disables the user and ends their sessions, in one transaction.
  virtual bool Disable(std::string_view normalized_email) = 0;
};

}  // namespace oakgate::store
