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
  // Signs the session out, with its audit event (the caller's address and request id).
  void End(std::string_view cookie_value, std::string_view client_address,
           std::string_view request_id);

 private:
  store::Database& db_;
  SessionSettings settings_;
};

}  // namespace oakgate::session
