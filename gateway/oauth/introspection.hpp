#pragma once
// POST /oauth/introspect (RFC 7662). Access and refresh tokens are ours; other credential
// kinds (API keys, CONTRACT §5) plug in through CredentialIntrospector.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/oauth/active_token_cache.hpp"
#include "gateway/oauth/client_auth.hpp"
#include "gateway/oauth/inactive_token_cache.hpp"
#include "gateway/oauth/introspection_types.hpp"
#include "gateway/oauth/lookup_throttle.hpp"

namespace oakgate::oauth {

// The extension point for other credential kinds. Returns nullopt when the token is not of
// this kind (so the next one is asked), an inactive Introspection when it is this kind but
// not valid. Database failures throw util::ServiceUnavailable, never "inactive".
class CredentialIntrospector {
 public:
  virtual ~CredentialIntrospector() = default;
  virtual std::optional<Introspection> Introspect(std::string_view token,
                                                  const store::Client& caller) = 0;
  // Memory only: the answer when caches hold it, nullopt when the database is needed or the
  // token is not of this kind.
  virtual std::optional<Introspection> TryCached(std::string_view /*token*/,
                                                 const store::Client& /*caller*/) {
    return std::nullopt;
  }
};

struct IntrospectRequest {
  std::optional<std::string> token;
  std::optional<std::string> token_type_hint;
  ClientCredentials credentials;
};

class IntrospectionService {
 public:
  // Renders an answer to its JSON body (the handler's), so a cache keeps it rendered.
  using Renderer = std::function<std::string(const Introspection&)>;
  // `inactive` (optional) remembers access tokens that introspected as inactive; `active`
  // (optional, with `render`) the live ones.
  IntrospectionService(store::Database& db, ClientAuthenticator& auth, std::string issuer,
                       InactiveTokenCache* inactive = nullptr, ActiveTokenCache* active = nullptr,
                       Renderer render = nullptr)
      : db_(db),
        auth_(auth),
        issuer_(std::move(issuer)),
        inactive_(inactive),
        active_(active),
        render_(std::move(render)) {}
  void AddIntrospector(std::shared_ptr<CredentialIntrospector> other) {
    others_.push_back(std::move(other));
  }
  // Counts lookups of unknown tokens per address and refuses an address over its limit
  // (too_many_requests) before any lookup (security.md G9). Optional.
  void SetLookupThrottle(LookupThrottle* throttle) { throttle_ = throttle; }
  // invalid_client (401) unless a confidential client authenticates; unauthorized_client
  // (403) when it may not introspect.
  util::Result<Introspection, OAuthError> Introspect(const IntrospectRequest& request,
                                                     const Caller& caller);
  // Memory only, for the reactor thread: the answer when the caches hold everything it
  // needs (the client, and the access token live or dead); nullopt sends the request to
  // Introspect on the worker pool.
  std::optional<Introspection> TryCached(const IntrospectRequest& request, const Caller& caller);

 private:
  store::Database& db_;
  ClientAuthenticator& auth_;
  std::string issuer_;
  Introspection AccessTokenAnswer(const store::AccessToken& t) const;
  Introspection Lookup(const std::string& token, const store::Client& caller_client);
  LookupThrottle* throttle_ = nullptr;
  InactiveTokenCache* inactive_;
  ActiveTokenCache* active_;
  Renderer render_;
  std::vector<std::shared_ptr<CredentialIntrospector>> others_;
};

}  // namespace oakgate::oauth
