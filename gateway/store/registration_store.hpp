#pragma once
// Dynamic client registration (RFC 7591): initial access tokens (only their SHA-256, 32 raw
// bytes) and per-address throttling of registration attempts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oakgate::store {

struct RegistrationAttempts {
  bool allowed = false;  // fewer than `limit` attempts in the window: this one was recorded
  int64_t retry = 0;     // when refused: seconds until the oldest attempt leaves the window
};

class RegistrationStore {
 public:
  virtual ~RegistrationStore() = default;
  // Stores the token's hash; returns its expiry (Unix seconds).
  virtual int64_t CreateToken(std::string_view token_hash, std::string_view name,
                              int64_t ttl_seconds) = 0;
  // The stored hash of the unexpired token with this hash, nullopt when none.
  virtual std::optional<std::string> FindActiveToken(std::string_view token_hash) = 0;
  // Records one attempt from this address unless `limit` attempts are in the window already
  // (refused attempts are not recorded, so Retry-After tells the truth).
  virtual RegistrationAttempts RecordAttempt(std::string_view client_address,
                                             int64_t window_seconds, int64_t limit) = 0;
};

}  // namespace oakgate::store
