#include "gateway/session/csrf.hpp"

#include "gateway/crypto/base64.hpp"
#include "gateway/crypto/compare.hpp"
#include "gateway/crypto/hmac.hpp"

namespace oakgate::session {
namespace {

std::string Mac(std::string_view key, std::string_view purpose, std::string_view binding) {
  std::string data = std::string(purpose) + "\n" + std::string(binding);
  auto digest = crypto::HmacSha256(key, data);
  return crypto::Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace

Csrf::Csrf(std::string secret, std::string previous_secret)
    : secret_(std::move(secret)), previous_(std::move(previous_secret)) {}

std::string Csrf::Token(std::string_view purpose, std::string_view binding) const {
  return Mac(secret_, purpose, binding);
}

bool Csrf::Check(std::string_view purpose, std::string_view binding, std::string_view token) const {
  if (binding.empty() || token.empty()) return false;
  bool ok = crypto::ConstantTimeEquals(Mac(secret_, purpose, binding), token);
  if (!previous_.empty()) {
    ok = crypto::ConstantTimeEquals(Mac(previous_, purpose, binding), token) || ok;
  }
  return ok;
}

}  // namespace oakgate::session
