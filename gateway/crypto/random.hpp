#pragma once
// Every token, code, secret and salt comes from OpenSSL's CSPRNG (RAND_bytes).
#include <cstddef>
#include <string>

namespace oakgate::crypto {

// n random bytes; throws std::runtime_error if the CSPRNG fails (never falls back).
std::string RandomBytes(size_t n);
// `bytes` random bytes as unpadded base64url (32 bytes -> 43 characters, 256 bits).
std::string RandomToken(size_t bytes = 32);
// n characters of [A-Za-z0-9], uniformly chosen (rejection sampling, no modulo bias).
std::string RandomAlnum(size_t n);

// Randomness injected where a test must control it (decision ids); the system's is the
// CSPRNG above. Implementations are called from many threads at once.
class Random {
 public:
  virtual ~Random() = default;
  // n random bytes; throws std::runtime_error rather than return weak ones.
  virtual std::string Bytes(size_t n) = 0;
};

class SystemRandom : public Random {
 public:
  std::string Bytes(size_t n) override { return RandomBytes(n); }
  static SystemRandom& Instance();
};

}  // namespace oakgate::crypto
