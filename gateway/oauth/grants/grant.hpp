#pragma once
// What every grant type (one file each) takes and returns.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gateway/oauth/client_auth.hpp"
#include "gateway/oauth/errors.hpp"
#include "gateway/oauth/settings.hpp"
#include "gateway/store/audit_store.hpp"
#include "gateway/store/group_commit.hpp"
#include "gateway/store/resource_store.hpp"
#include "gateway/store/rotation_store.hpp"
#include "gateway/store/token_store.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::oauth {

struct TokenRequest {
  std::optional<std::string> grant_type;
  std::optional<std::string> code;
  std::optional<std::string> redirect_uri;
  std::optional<std::string> code_verifier;
  std::optional<std::string> refresh_token;
  std::optional<std::string> scope;
  std::vector<std::string> resources;  // RFC 8707 §2.2: zero or more `resource` values
  ClientCredentials credentials;
};

struct TokenResponse {
  std::string access_token;
  int64_t expires_in = 0;
  std::optional<std::string> refresh_token;
  std::vector<std::string> scopes;
  std::vector<std::string> audience;
};

using TokenResult = util::Result<TokenResponse, OAuthError>;

// Stores the common refresh rotation and tells what became of it (see RotationWriter).
using RotateFn = std::function<store::Outcome<store::Rotated>(store::RotationRequest)>;

// What a grant may use: the two stores it reads and writes (never the whole database), the
// settings, who is asking, and how a rotation is stored. Audit events go to the token store
// with the change they record.
struct GrantContext {
  store::TokenStore& tokens;
  store::ResourceStore& resources;
  const OAuthSettings& settings;
  const Caller& caller;
  // The group commit of rotations; empty: a refresh rotates with the statements of the grant.
  RotateFn rotate = {};
  // Waits between the lookups of a commit in doubt.
  store::Sleeper sleep = store::SleepFor;
};

namespace grants {

TokenResult AuthorizationCode(const GrantContext& ctx, const AuthenticatedClient& client,
                              const TokenRequest& request);
TokenResult RefreshToken(const GrantContext& ctx, const AuthenticatedClient& client,
                         const TokenRequest& request);
TokenResult ClientCredentials(const GrantContext& ctx, const AuthenticatedClient& client,
                              const TokenRequest& request);

}  // namespace grants
}  // namespace oakgate::oauth
