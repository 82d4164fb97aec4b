#pragma once
// Dynamic client registration (RFC 7591) at POST /oauth/register, for MCP clients: public
// clients only (token_endpoint_auth_method "none"), the authorization code grant with PKCE,
// loopback or https redirect URIs, scopes limited to those registered resources offer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/oauth/errors.hpp"
#include "gateway/oauth/settings.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::oauth {

inline constexpr size_t kMaxRegisteredRedirectUris = 10;
inline constexpr size_t kMaxClientName = 200;  // characters
inline constexpr std::string_view kInitialAccessTokenPrefix = "oit_";

enum class RegistrationMode { kOpen, kToken, kOff };

struct RegistrationSettings {
  RegistrationMode mode = RegistrationMode::kOpen;
  // Private-use URI schemes (RFC 8252 §7.1) a registered redirect URI may use, lower case.
  std::vector<std::string> custom_schemes;
  int64_t rate_limit = 20;  // attempts per address per window
  int64_t window_seconds = 3600;
};

// The metadata a client registered (RFC 7591 §2), after validation and defaults.
struct ClientMetadata {
  std::string client_name;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> grant_types;
  std::vector<std::string> response_types;
  std::string token_endpoint_auth_method;
  std::optional<std::vector<std::string>> scopes;  // nullopt: not given
};

// Pure: `body` must be a JSON object; unknown members are ignored (RFC 7591 §2), known ones
// of the wrong type or value are invalid_client_metadata, bad redirect URIs
// invalid_redirect_uri. Scopes are only parsed here (the service checks them).
util::Result<ClientMetadata, OAuthError> ParseClientMetadata(
    std::string_view body, const std::vector<std::string>& custom_schemes);

// https with a real host, http on a loopback host (RFC 8252 §7.3), or one of the configured
// private-use schemes; never a fragment, a wildcard host or user info.
bool IsAllowedRegisteredRedirectUri(std::string_view uri,
                                    const std::vector<std::string>& custom_schemes);

// "oit_" + 43 base64url characters (256 bits from the CSPRNG).
std::string NewInitialAccessToken();

struct RegistrationRequest {
  std::string media_type;
  std::string body;
  std::optional<std::string> authorization;
  size_t authorization_count = 0;
};

struct RegisteredClient {
  store::Client client;
  ClientMetadata metadata;
};

class RegistrationService {
 public:
  RegistrationService(store::Database& db, RegistrationSettings settings)
      : db_(db), settings_(std::move(settings)) {}
  const RegistrationSettings& settings() const { return settings_; }
  // The checks in order: mode off (403), throttling (429), the initial access token in token
  // mode (401 invalid_token), the metadata (400); then the client is created.
  util::Result<RegisteredClient, OAuthError> Register(const RegistrationRequest& request,
                                                      const Caller& caller);

 private:
  std::optional<OAuthError> CheckInitialAccessToken(const RegistrationRequest& request);
  store::Database& db_;
  RegistrationSettings settings_;
};

}  // namespace oakgate::oauth
