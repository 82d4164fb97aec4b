#pragma once
// POST /oauth/token (RFC 6749 §3.2): authenticates the client, then hands the request to the
// grant type's file under grants/.
#include <functional>
#include <memory>

#include "gateway/oauth/client_auth.hpp"
#include "gateway/oauth/grants/grant.hpp"
#include "gateway/oauth/token_writer.hpp"

namespace oakgate::oauth {

class TokenService {
 public:
  // Without a `writer`, ExchangeAsync declines client_credentials; without `rotations`, it
  // declines refreshes, and each rotation is its own statement on the worker's connection.
  TokenService(store::Database& db, ClientAuthenticator& auth, OAuthSettings settings,
               TokenWriter* writer = nullptr, RotationWriter* rotations = nullptr);
  ~TokenService();
  // Bad requests are values; database failures throw util::ServiceUnavailable (503).
  TokenResult Exchange(const TokenRequest& request, const Caller& caller);
  // The common client_credentials and refresh_token requests, from memory and without
  // blocking (for the reactor thread): a cached confidential client with its right secret,
  // no `resource` (and for a refresh, no `scope`). Then the token or rotation goes to its
  // writer's next batch, `done` runs on the writer thread once it is stored (a
  // temporarily_unavailable error when it was not), and this returns true. A refresh that the
  // rotation left out (unknown, retired, revoked...) is decided by the full grant on the
  // service's own thread, which runs `done`. Anything else returns false, `done` never runs,
  // and the request takes Exchange as usual.
  bool ExchangeAsync(const TokenRequest& request, const Caller& caller,
                     std::function<void(TokenResult)> done);

  // Tokens for a grant decided elsewhere (the legacy JWT exchange, CONTRACT §12): mints an
  // access token with `scopes` (and a refresh token when `client` has that grant) with this
  // service's lifetimes, and stores them with `write` (given the tokens and the family's
  // absolute and idle lifetimes), resolving a commit in doubt as the grants do. `write`
  // returning nullopt (it refused, nothing stored) gives `refused`.
  using IssueWrite = std::function<std::optional<store::Issued>(
      const store::NewTokens&, int64_t family_ttl, int64_t family_idle_ttl)>;
  TokenResult IssueFor(const store::Client& client, const std::vector<std::string>& scopes,
                       const IssueWrite& write, const OAuthError& refused);

 private:
  TokenResult Dispatch(const TokenRequest& request, const Caller& caller);
  GrantContext ContextFor(const Caller& caller);
  bool RefreshAsync(const TokenRequest& request, const Caller& caller,
                    std::function<void(TokenResult)>& done);
  store::Database& db_;
  ClientAuthenticator& auth_;
  OAuthSettings settings_;
  TokenWriter* writer_;
  RotationWriter* rotations_;
  // The refreshes the rotation left out, decided by the full grant (see ExchangeAsync).
  class Lane;
  std::unique_ptr<Lane> lane_;
};

}  // namespace oakgate::oauth
