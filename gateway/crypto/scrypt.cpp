#include "gateway/crypto/scrypt.hpp"

#include <openssl/evp.h>

#include <stdexcept>
#include <vector>

#include "gateway/crypto/base64.hpp"
#include "gateway/crypto/compare.hpp"
#include "gateway/crypto/random.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::crypto {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kKeyBytes = 32;

bool SaneParams(const ScryptParams& p) {
  bool pow2 = p.n >= 2 && (p.n & (p.n - 1)) == 0 && p.n <= (1u << 20);
  return pow2 && p.r >= 1 && p.r <= 32 && p.p >= 1 && p.p <= 16;
}

// PITFALLS 10: OpenSSL's default limit (32 MiB) is below what N=2^15, r=8 needs
// (128·r·(N+2) plus the p blocks), so maxmem is always computed and passed explicitly.
uint64_t MaxMem(const ScryptParams& p) {
  return 128 * p.r * (p.n + 2) + 128 * p.r * p.p + (1 << 20);
}

std::optional<std::string> Derive(std::string_view password, std::string_view salt,
                                  const ScryptParams& p) {
  std::string key(kKeyBytes, '\0');
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), p.n, p.r,
                     p.p, MaxMem(p), reinterpret_cast<unsigned char*>(key.data()),
                     key.size()) != 1) {
    return std::nullopt;
  }
  return key;
}

}  // namespace

std::string ScryptHash(std::string_view password, const ScryptParams& params) {
  if (!SaneParams(params)) throw std::invalid_argument("scrypt parameters out of bounds");
  std::string salt = RandomBytes(kSaltBytes);
  auto key = Derive(password, salt, params);
  if (!key) throw std::runtime_error("scrypt failed");
  return "scrypt$" + std::to_string(params.n) + "$" + std::to_string(params.r) + "$" +
         std::to_string(params.p) + "$" + Base64UrlEncode(salt) + "$" + Base64UrlEncode(*key);
}

bool ScryptVerify(std::string_view password, std::string_view encoded) {
  auto parts = util::Split(encoded, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  auto n = util::ParseInt(parts[1]);
  auto r = util::ParseInt(parts[2]);
  auto p = util::ParseInt(parts[3]);
  if (!n || !r || !p || *n <= 0 || *r <= 0 || *p <= 0) return false;
  ScryptParams params{static_cast<uint64_t>(*n), static_cast<uint64_t>(*r),
                      static_cast<uint64_t>(*p)};
  if (!SaneParams(params)) return false;
  auto salt = Base64UrlDecode(parts[4]);
  auto expected = Base64UrlDecode(parts[5]);
  if (!salt || !expected || expected->size() != kKeyBytes || salt->empty()) return false;
  auto key = Derive(password, *salt, params);
  return key && ConstantTimeEquals(*key, *expected);
}

}  // namespace oakgate::crypto
