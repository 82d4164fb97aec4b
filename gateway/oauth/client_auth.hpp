#pragma once
// Client authentication at the token, introspection and revocation endpoints (RFC 6749
// §2.3): none (public clients send client_id only), HTTP Basic, or client_secret_post.
// Failures are throttled per client id and per address (OAuth 2.1 §2.4.1, RFC 7009 §5).
#include <optional>
#include <string>

#include "gateway/oauth/client_cache.hpp"
#include "gateway/oauth/errors.hpp"
#include "gateway/oauth/settings.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/clock.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::oauth {

struct ClientCredentials {
  std::optional<std::string> authorization;  // the Authorization header, if sent
  size_t authorization_count = 0;            // how many Authorization headers
  std::optional<std::string> client_id;      // body parameter
  std::optional<std::string> client_secret;  // body parameter
};

enum class ClientAuthMethod { kNone, kBasic, kPost };

struct AuthenticatedClient {
  store::Client client;
  ClientAuthMethod method = ClientAuthMethod::kNone;
};

class ClientAuthenticator {
 public:
  // `cache` (optional) lets TryCached authenticate without the database; Authenticate fills
  // it and marks failing clients and addresses suspect in it.
  ClientAuthenticator(store::Database& db, const util::Clock& clock, ClientAuthLimits limits,
                      ClientCache* cache = nullptr)
      : db_(db), clock_(clock), limits_(limits), cache_(cache) {}
  // invalid_client (401, with the Basic challenge when Basic was used), invalid_request for
  // ambiguous credentials, too_many_requests when failures from this client or address
  // exceed the limits. Database failures throw util::ServiceUnavailable.
  util::Result<AuthenticatedClient, OAuthError> Authenticate(const ClientCredentials& credentials,
                                                             const Caller& caller);
  // Memory only: the client when its credentials match a cached confidential client that is
  // not suspect; nullopt whenever the answer needs the database (any failure included, so
  // failures are always counted and throttled by Authenticate).
  std::optional<AuthenticatedClient> TryCached(const ClientCredentials& credentials,
                                               const Caller& caller);

 private:
  // `recorded`: the failure is already counted (the attempt admitted by TryClientAuthAttempt).
  OAuthError Failed(const std::string& client_id, bool basic, const Caller& caller,
                    std::string detail, bool recorded = false);
  store::Database& db_;
  const util::Clock& clock_;
  ClientAuthLimits limits_;
  ClientCache* cache_;
};

}  // namespace oakgate::oauth
