#include "gateway/apikey/key_format.hpp"

#include "gateway/crypto/random.hpp"

namespace oakgate::apikey {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsBase64Url(char c) { return IsAlnum(c) || c == '-' || c == '_'; }

}  // namespace

bool IsKeyId(std::string_view key_id) {
  if (key_id.size() != kKeyIdLength || key_id.substr(0, kIdPrefix.size()) != kIdPrefix) {
    return false;
  }
  for (char c : key_id.substr(kIdPrefix.size())) {
    if (!IsAlnum(c)) return false;
  }
  return true;
}

std::optional<std::string> ParseKeyId(std::string_view presented) {
  if (presented.size() != kKeyLength || presented[kKeyIdLength] != '.') return std::nullopt;
  std::string_view id = presented.substr(0, kKeyIdLength);
  std::string_view secret = presented.substr(kKeyIdLength + 1);
  if (!IsKeyId(id) || secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) return std::nullopt;
  for (char c : secret.substr(kSecretPrefix.size())) {
    if (!IsBase64Url(c)) return std::nullopt;
  }
  return std::string(id);
}

GeneratedKey GenerateKey() {
  std::string key_id = std::string(kIdPrefix) + crypto::RandomAlnum(kIdChars);
  std::string key = key_id + "." + std::string(kSecretPrefix) + crypto::RandomToken(32);
  auto hash = crypto::Sha256(key);
  return GeneratedKey{std::move(key_id), PlaintextKey(std::move(key)), hash};
}

}  // namespace oakgate::apikey
