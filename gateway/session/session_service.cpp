#include "gateway/session/session_service.hpp"

#include "gateway/crypto/sha256.hpp"

namespace oakgate::session {

std::optional<store::Session> SessionService::Current(std::string_view cookie_value) {
  // A session cookie is 43 base64url characters; anything else cannot be one of ours, and
  // need not cost a database round trip.
  if (cookie_value.size() != 43) return std::nullopt;
  return db_.Sessions().FindActive(crypto::ToBytes(crypto::Sha256(cookie_value)),
                                   settings_.idle_ttl_seconds);
}

void SessionService::End(std::string_view cookie_value, std::string_view client_address,
                         std::string_view request_id) {
  if (cookie_value.size() != 43) return;
  store::AuditEvent e;
  e.type = "session.signed_out";
  e.client_address = client_address;
  e.request_id = request_id;
  db_.Sessions().End(crypto::ToBytes(crypto::Sha256(cookie_value)), e);
}

}  // namespace oakgate::session
