#pragma once
// POST /oauth/introspect (RFC 7662). Access and refresh tokens are ours; other credential
// kinds (API keys, CONTRACT §5) plug in through CredentialIntrospector.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/oauth/client_auth.hpp"
#include "gateway/oauth/inactive_token_cache.hpp"

namespace oakgate::oauth {

struct Introspection {
  bool active = false;
  std::string token_type;  // "Bearer", "refresh_token", "api_key"
  std::optional<std::string> scope;
  std::optional<std::string> client_id;
  std::optional<std::string> username;
  std::optional<std::string> sub;
  std::optional<int64_t> exp;
  std::optional<int64_t> iat;
  std::optional<std::string> iss;
  std::vector<std::string> aud;  // RFC 7662 §2.2, RFC 8707: the resources it is bound to
  std::map<std::string, std::string> extra;  // e.g. key_id, agent_id
};

// The extension point for other credential kinds. Returns nullopt when the token is not of
// this kind (so the next one is asked), an inactive Introspection when it is this kind but
// not valid. Database failures throw util::ServiceUnavailable, never "inactive".
class CredentialIntrospector {
 public:
  virtual ~CredentialIntrospector() = default;
  virtual std::optional<Introspection> Introspect(std::string_view token,
                                                  const store::Client& caller) = 0;
};

struct IntrospectRequest {
  std::optional<std::string> token;
  std::optional<std::string> token_type_hint;
  ClientCredentials credentials;
};

class IntrospectionService {
 public:
  // `inactive` (optional) remembers access tokens that introspected as inactive.
  IntrospectionService(store::Database& db, ClientAuthenticator& auth, std::string issuer,
                       InactiveTokenCache* inactive = nullptr)
      : db_(db), auth_(auth), issuer_(std::move(issuer)), inactive_(inactive) {}
  void AddIntrospector(std::shared_ptr<CredentialIntrospector> other) {
    others_.push_back(std::move(other));
  }
  // invalid_client (401) unless a confidential client authenticates; unauthorized_client
  // (403) when it may not introspect.
  util::Result<Introspection, OAuthError> Introspect(const IntrospectRequest& request,
                                                     const Caller& caller);

 private:
  store::Database& db_;
  ClientAuthenticator& auth_;
  std::string issuer_;
  InactiveTokenCache* inactive_;
  std::vector<std::shared_ptr<CredentialIntrospector>> others_;
};

}  // namespace oakgate::oauth
