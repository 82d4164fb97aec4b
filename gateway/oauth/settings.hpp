#pragma once
// What the OAuth services need from the configuration.
#include <cstdint>
#include <string>

namespace oakgate::oauth {

// Failed client authentication (token, introspection, revocation), over a sliding window.
// Secrets carry 256 bits, so guessing is hopeless; the limits stop scanning and bound the
// work. The per-client limit is high because anyone can spend it: reaching it refuses that
// client from every address until the window passes.
struct ClientAuthLimits {
  int64_t window_seconds = 300;
  int64_t per_client = 100;  // one client id from every address
  int64_t per_address = 50;  // any client id from one address
};

struct OAuthSettings {
  std::string issuer;
  int64_t access_token_ttl = 3600;
  int64_t refresh_token_ttl = 2592000;
  // RFC 9700 §4.14.2: a family unused this long is inactive; 0 for no idle limit.
  int64_t refresh_idle_ttl = 1209600;
  int64_t code_ttl = 60;
  int64_t refresh_grace = 0;
  ClientAuthLimits client_auth;
};

// Who is asking, for audit events and throttling.
struct Caller {
  std::string client_address;
  std::string request_id;
};

}  // namespace oakgate::oauth
