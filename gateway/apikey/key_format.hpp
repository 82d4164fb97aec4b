#pragma once
// API keys (CONTRACT §5): "pk_<16 [A-Za-z0-9]>.sk_<43 base64url>". The public half is the
// key_id, safe to log; the database keeps only the SHA-256 of the whole key.
#include <optional>
#include <string>
#include <string_view>

#include "gateway/crypto/sha256.hpp"

namespace oakgate::apikey {

inline constexpr std::string_view kIdPrefix = "pk_";
inline constexpr std::string_view kSecretPrefix = "sk_";
inline constexpr size_t kIdChars = 16;
inline constexpr size_t kSecretChars = 43;  // 32 random bytes, unpadded base64url
inline constexpr size_t kKeyIdLength = 3 + kIdChars;
inline constexpr size_t kKeyLength = kKeyIdLength + 1 + 3 + kSecretChars;

// A full key in plaintext. It has no stream operator and no implicit conversion, so it
// cannot end up in a log line by accident; Reveal() is called only to show it once.
class PlaintextKey {
 public:
  explicit PlaintextKey(std::string value) : value_(std::move(value)) {}
  const std::string& Reveal() const { return value_; }

 private:
  std::string value_;
};

// The key_id ("pk_...") of a well-formed key; nullopt for anything else (bad prefix,
// missing dot, wrong lengths, characters outside the alphabets).
std::optional<std::string> ParseKeyId(std::string_view presented);
bool IsKeyId(std::string_view key_id);

struct GeneratedKey {
  std::string key_id;
  PlaintextKey key;
  crypto::Sha256Digest hash;  // of the whole key
};

// A new key from the CSPRNG.
GeneratedKey GenerateKey();

}  // namespace oakgate::apikey
