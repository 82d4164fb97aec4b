#pragma once
// The legacy JWT bridge (CONTRACT §12): introspection of the previous system's JWTs, and
// their one-time exchange for oakgate tokens, while services migrate.
#include <optional>
#include <string>

#include "gateway/legacy/jwt.hpp"
#include "gateway/oauth/client_auth.hpp"
#include "gateway/oauth/grants/grant.hpp"
#include "gateway/oauth/introspection_types.hpp"
#include "gateway/oauth/token_service.hpp"
#include "gateway/store/legacy_jwt_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::legacy {

struct BridgeSettings {
  JwtPolicy policy;
  std::string exchange_client;  // "" when exchange is off
};

struct IntrospectRequest {
  std::optional<std::string> token;
  oauth::ClientCredentials credentials;
};

struct ExchangeRequest {
  std::optional<std::string> token;
  std::optional<std::string> scope;
};

// How a call ended, for /metrics (a fixed set of label values).
enum class Outcome { kActive, kInactive, kIssued, kRefused, kReplayed, kClientError };
std::string_view OutcomeName(Outcome o);

class LegacyBridge {
 public:
  LegacyBridge(store::Database& db, store::LegacyJwtStore& store, oauth::ClientAuthenticator& auth,
               oauth::TokenService& tokens, JwtKeys keys, BridgeSettings settings,
               const util::Clock& clock)
      : db_(db),
        store_(store),
        auth_(auth),
        tokens_(tokens),
        keys_(std::move(keys)),
        settings_(std::move(settings)),
        clock_(clock) {}

  // Client authentication as for /oauth/introspect: a confidential client allowed to
  // introspect. Every token that is not valid, or whose user is unknown or disabled, is
  // {"active": false}.
  util::Result<oauth::Introspection, oauth::OAuthError> Introspect(const IntrospectRequest& request,
                                                                   const oauth::Caller& caller,
                                                                   Outcome* outcome);
  // invalid_request without a token, invalid_grant for any token that would introspect
  // inactive and for a replay, invalid_scope beyond the exchange client's scopes.
  oauth::TokenResult Exchange(const ExchangeRequest& request, const oauth::Caller& caller,
                              Outcome* outcome);

 private:
  // The token's user when it verifies and the user is active; the failure's name otherwise.
  struct Checked {
    VerifiedJwt jwt;
    store::LegacyUser user;
  };
  util::Result<Checked, std::string> Check(const std::string& token);

  store::Database& db_;
  store::LegacyJwtStore& store_;
  oauth::ClientAuthenticator& auth_;
  oauth::TokenService& tokens_;
  JwtKeys keys_;
  BridgeSettings settings_;
  const util::Clock& clock_;
};

}  // namespace oakgate::legacy
