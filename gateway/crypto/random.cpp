#include "gateway/crypto/random.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "gateway/crypto/base64.hpp"

namespace oakgate::crypto {

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("CSPRNG failure (RAND_bytes)");
  }
  return out;
}

std::string RandomToken(size_t bytes) { return Base64UrlEncode(RandomBytes(bytes)); }

std::string RandomAlnum(size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    std::string pool = RandomBytes(n * 2);
    for (unsigned char c : pool) {
      // 62 * 4 = 248: values at or above it would bias the modulo, so they are thrown away.
      if (c >= 248) continue;
      out.push_back(kAlphabet[c % 62]);
      if (out.size() == n) break;
    }
  }
  return out;
}

SystemRandom& SystemRandom::Instance() {
  static SystemRandom random;
  return random;
}

}  // namespace oakgate::crypto
