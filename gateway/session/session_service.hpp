#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "gateway/session/login_service.hpp"
#include "gateway/store/database.hpp"

namespace oakgate::session {

// Resolves and ends browser sessions from their cookie value.
class SessionService {
 public:
  SessionService(store::Database& db, SessionSettings settings) : db_(db), settings_(settings) {}
  // The live session for this cookie value (its idle expiry is extended), or nullopt.
  std::optional<store::Session> Current(std::string_view cookie_value);
  void End(std::string_view cookie_value);

 private:
  store::Database& db_;
  SessionSettings settings_;
};

}  // namespace oakgate::session
