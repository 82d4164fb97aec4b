#pragma once
// Standard Webhooks (https://www.standardwebhooks.com/): secrets are "whsec_" + base64 of 24
// random bytes; a message is signed with HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.
// <body>" keyed by the secret's bytes, sent as "v1,<base64>" (several space-separated during
// a rotation).
#include <optional>
#include <string>
#include <string_view>

#include "gateway/crypto/random.hpp"

namespace oakgate::webhook {

std::string NewSecret(crypto::Random& random);
// The secret's key bytes, or nullopt when it is not "whsec_" + base64.
std::optional<std::string> SecretKey(std::string_view secret);
// "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>".
std::string Sign(std::string_view key, std::string_view id, int64_t timestamp,
                 std::string_view body);

}  // namespace oakgate::webhook
