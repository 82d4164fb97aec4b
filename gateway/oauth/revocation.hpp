#pragma once
// POST /oauth/revoke (RFC 7009).
#include <optional>
#include <string>

#include "gateway/oauth/client_auth.hpp"
#include "gateway/oauth/lookup_throttle.hpp"

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
  // Counts revocations of unknown tokens and of other clients' tokens per address and refuses
  // an address over its limit (too_many_requests) before any lookup (security.md G9).
  // Optional.
  void SetLookupThrottle(LookupThrottle* throttle) { throttle_ = throttle; }

 private:
  // What revoking `token` for client `me` did: revoked (or already invalid), unknown (no
  // such token of ours), or another client's.
  enum class Found { kOurs, kUnknown, kNotYours };
  Found RevokeToken(const std::string& token, const std::string& me, const Caller& caller);
  LookupThrottle* throttle_ = nullptr;
  store::Database& db_;
  ClientAuthenticator& auth_;
};

}  // namespace oakgate::oauth
