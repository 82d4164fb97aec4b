#pragma once
#include <string_view>

#include "gateway/crypto/sha256.hpp"

namespace oakgate::crypto {

// Constant-time equality (CRYPTO_memcmp). Different lengths compare unequal; the time
// depends only on the length, never on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
bool ConstantTimeEquals(const Sha256Digest& a, const Sha256Digest& b);

}  // namespace oakgate::crypto
