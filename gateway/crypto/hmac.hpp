#pragma once
#include <string_view>

#include "gateway/crypto/sha256.hpp"

namespace oakgate::crypto {

// HMAC-SHA256 (EVP_MAC "HMAC", digest SHA256, fetched once).
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

}  // namespace oakgate::crypto
