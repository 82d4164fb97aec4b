#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace oakgate::crypto {

// RFC 4648 §5 alphabet, no padding.
std::string Base64UrlEncode(std::string_view data);
// Accepts only the base64url alphabet without padding; nullopt otherwise.
std::optional<std::string> Base64UrlDecode(std::string_view text);
// RFC 4648 §4 with padding (HTTP Basic); strict: nullopt on any bad character or length.
std::string Base64Encode(std::string_view data);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace oakgate::crypto
