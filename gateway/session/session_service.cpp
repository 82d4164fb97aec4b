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

void SessionService::End(std::string_view cookie_value) {
  if (cookie_value.size() != 43) return;
  db_.Sessions().End(crypto::ToBytes(crypto::Sha256(cookie_value)));
}

}  // namespace oakgate::session
