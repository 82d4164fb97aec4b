#include "gateway/oauth/pkce.hpp"

#include "gateway/crypto/base64.hpp"
#include "gateway/crypto/compare.hpp"
#include "gateway/crypto/sha256.hpp"

namespace oakgate::oauth {
namespace {

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

bool IsValidCodeVerifier(std::string_view v) {
  if (v.size() < 43 || v.size() > 128) return false;
  for (char c : v) {
    if (!IsUnreserved(c)) return false;
  }
  return true;
}

bool IsValidS256Challenge(std::string_view c) {
  if (c.size() != 43) return false;
  for (char ch : c) {
    if (!IsBase64Url(ch)) return false;
  }
  return true;
}

bool VerifyS256(std::string_view verifier, std::string_view challenge) {
  if (!IsValidCodeVerifier(verifier) || !IsValidS256Challenge(challenge)) return false;
  auto digest = crypto::Sha256(verifier);
  std::string computed = crypto::Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  return crypto::ConstantTimeEquals(computed, challenge);
}

}  // namespace oakgate::oauth
