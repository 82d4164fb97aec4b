#pragma once
// POST /oauth/token (RFC 6749 §3.2): authenticates the client, then hands the request to the
// grant type's file under grants/.
#include "gateway/oauth/client_auth.hpp"
#include "gateway/oauth/grants/grant.hpp"

namespace oakgate::oauth {

class TokenService {
 public:
  TokenService(store::Database& db, ClientAuthenticator& auth, OAuthSettings settings)
      : db_(db), auth_(auth), settings_(std::move(settings)) {}
  // Bad requests are values; database failures throw util::ServiceUnavailable (503).
  TokenResult Exchange(const TokenRequest& request, const Caller& caller);

 private:
  TokenResult Dispatch(const TokenRequest& request, const Caller& caller);
  store::Database& db_;
  ClientAuthenticator& auth_;
  OAuthSettings settings_;
};

}  // namespace oakgate::oauth
