#include "gateway/webhook/signature.hpp"

#include "gateway/crypto/base64.hpp"
#include "gateway/crypto/hmac.hpp"
#include "gateway/crypto/sha256.hpp"

namespace oakgate::webhook {

std::string NewSecret(crypto::Random& random) {
  return "whsec_" + crypto::Base64Encode(random.Bytes(24));
}

std::optional<std::string> SecretKey(std::string_view secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (secret.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  return crypto::Base64Decode(secret.substr(kPrefix.size()));
}

std::string Sign(std::string_view key, std::string_view id, int64_t timestamp,
                 std::string_view body) {
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  return "v1," + crypto::Base64Encode(crypto::ToBytes(crypto::HmacSha256(key, content)));
}

}  // namespace oakgate::webhook
