#include "gateway/oauth/access_token.hpp"

#include "gateway/crypto/random.hpp"
#include "gateway/crypto/sha256.hpp"

namespace oakgate::oauth {

std::string NewAccessToken() { return std::string(kAccessTokenPrefix) + crypto::RandomToken(32); }
std::string NewRefreshToken() { return std::string(kRefreshTokenPrefix) + crypto::RandomToken(32); }

bool HasTokenShape(std::string_view token, std::string_view prefix) {
  if (token.size() != prefix.size() + 43 || token.substr(0, prefix.size()) != prefix) return false;
  for (char c : token.substr(prefix.size())) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::optional<store::AccessToken> AccessTokenVerifier::Verify(std::string_view token) {
  if (!HasTokenShape(token, kAccessTokenPrefix)) return std::nullopt;
  return db_.Tokens().FindActiveAccessToken(crypto::ToBytes(crypto::Sha256(token)));
}

}  // namespace oakgate::oauth
