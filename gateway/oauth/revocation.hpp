#pragma once
// POST /oauth/revoke (RFC 7009).
#include <optional>
#include <string>

#include "gateway/oauth/client_auth.hpp"

namespace oakgate::oauth {

struct RevokeRequest {
  std::optional<std::string> token;
  std::optional<std::string> token_type_hint;
  ClientCredentials credentials;
};

class RevocationService {
 public:
  RevocationService(store::Database& db, ClientAuthenticator& auth) : db_(db), auth_(auth) {}
  // Success for unknown or already invalid tokens (RFC 7009 §2.2); unauthorized_client for a
  // token issued to another client, which stays valid. Revoking a refresh token revokes its
  // family. Database failures throw util::ServiceUnavailable: never a 200 that revoked nothing.
  util::Result<bool, OAuthError> Revoke(const RevokeRequest& request, const Caller& caller);

 private:
  store::Database& db_;
  ClientAuthenticator& auth_;
};

}  // namespace oakgate::oauth
