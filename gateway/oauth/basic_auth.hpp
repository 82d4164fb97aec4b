#pragma once
// HTTP Basic client credentials (RFC 6749 §2.3.1: the client id and secret are
// form-urlencoded before base64).
#include <optional>
#include <string>
#include <string_view>

namespace oakgate::oauth {

struct BasicCredentials {
  std::string client_id;
  std::string client_secret;
};

// Parses an Authorization header value; nullopt when it is not Basic or is malformed.
std::optional<BasicCredentials> ParseBasicAuth(std::string_view header_value);
// True when the header uses the Basic scheme at all (malformed or not).
bool IsBasicScheme(std::string_view header_value);

}  // namespace oakgate::oauth
