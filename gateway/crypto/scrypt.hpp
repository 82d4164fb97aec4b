#pragma once
// Password hashing with OpenSSL's EVP_PBE_scrypt. Parameters are stored with each hash so
// they can be raised later; maxmem is always set explicitly (OpenSSL's 32 MiB default is too
// small for N=2^15, r=8).
#include <cstdint>
#include <string>
#include <string_view>

namespace oakgate::crypto {

struct ScryptParams {
  uint64_t n = 1u << 15;  // OWASP minimum: N=2^15, r=8, p=3
  uint64_t r = 8;
  uint64_t p = 3;
};

// Encoded as "scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>" with a 16-byte random salt
// and a 32-byte derived key.
std::string ScryptHash(std::string_view password, const ScryptParams& params = {});
// Recomputes with the parameters stored in `encoded` and compares in constant time.
// A malformed encoding, or parameters outside sane bounds (N a power of two in [2, 2^20],
// r in [1, 32], p in [1, 16]), returns false without throwing.
bool ScryptVerify(std::string_view password, std::string_view encoded);

}  // namespace oakgate::crypto
