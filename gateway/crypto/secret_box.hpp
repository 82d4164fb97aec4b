#pragma once
// Secrets the gateway must use again, not just check (webhook signing secrets), sealed at rest
// with AES-256-GCM under a key derived from the gateway's own `secret` (and opened with
// `secret_previous` too, so rotating the gateway's secret does not lose them). Sealed form:
// a 12-byte random nonce, the ciphertext, the 16-byte tag. `purpose` separates keys of
// different uses derived from one secret.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/crypto/random.hpp"

namespace oakgate::crypto {

class SecretBox {
 public:
  // `secrets`: the first seals; every one opens. Each key is HMAC-SHA256(secret, purpose).
  SecretBox(const std::vector<std::string>& secrets, std::string_view purpose);
  std::string Seal(std::string_view plain, Random& random) const;
  // nullopt when no key opens it (tampered, or sealed under a secret no longer configured).
  std::optional<std::string> Open(std::string_view sealed) const;

 private:
  std::vector<std::string> keys_;
};

}  // namespace oakgate::crypto
