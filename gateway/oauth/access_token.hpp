#pragma once
// Opaque access tokens: "oat_" + 43 base64url characters (256 bits from the CSPRNG), stored
// only as the SHA-256 of the whole token.
#include <optional>
#include <string>
#include <string_view>

#include "gateway/store/database.hpp"

namespace oakgate::oauth {

inline constexpr std::string_view kAccessTokenPrefix = "oat_";
inline constexpr std::string_view kRefreshTokenPrefix = "ort_";

std::string NewAccessToken();
std::string NewRefreshToken();
// Prefix plus 43 base64url characters; anything else cannot be one of ours.
bool HasTokenShape(std::string_view token, std::string_view prefix);

class AccessTokenVerifier {
 public:
  explicit AccessTokenVerifier(store::Database& db) : db_(db) {}
  // The live token, or nullopt when it is malformed, unknown, expired or revoked. Throws
  // util::ServiceUnavailable when the database cannot answer (never "inactive").
  std::optional<store::AccessToken> Verify(std::string_view token);

 private:
  store::Database& db_;
};

}  // namespace oakgate::oauth
