#pragma once
// Minting tokens and committing them, shared by the grants.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gateway/oauth/grants/grant.hpp"
#include "gateway/store/database.hpp"
#include "gateway/store/group_commit.hpp"

namespace oakgate::oauth::grants {

struct Minted {
  std::string access_token;
  std::string refresh_token;  // "" when none
  store::NewTokens stored;    // their hashes, as the store takes them
};

Minted Mint(bool with_refresh, const std::vector<std::string>& access_scopes, int64_t ttl,
            const std::vector<std::string>& audience = {});

// The audience of a new access token and the scopes it may carry (RFC 8707 §2.2). With no
// `resource` requested: the grant's resources and `scopes` unchanged. Otherwise the requested
// resources, which must be known (invalid_target) and part of the grant when the grant named
// any (a request may narrow, never widen); `scopes` are then limited to what those resources
// offer (invalid_scope when `scope_explicit` and some are not).
struct Audience {
  std::vector<std::string> uris;
  std::vector<std::string> scopes;
};
util::Result<Audience, OAuthError> SelectAudience(store::ResourceStore& resources,
                                                  const std::vector<std::string>& granted,
                                                  const std::vector<std::string>& requested,
                                                  const std::vector<std::string>& scopes,
                                                  bool scope_explicit);

// Runs the commit in `write`. When its outcome is unknown (util::CommitInDoubt: the
// connection dropped during COMMIT), asks a fresh connection whether the minted access token
// was stored, for about five seconds (`sleep` waits between attempts) while the database may
// be on its way back, and answers accordingly, so a client's retry is never mistaken for reuse
// (CONTRACT §4, PITFALLS 3): stored gives the Issued; not stored, or not known in time,
// throws util::ServiceUnavailable (503 with nothing claimed).
std::optional<store::Issued> CommitResolved(
    store::TokenStore& tokens, const Minted& minted,
    const std::function<std::optional<store::Issued>()>& write,
    const store::Sleeper& sleep = store::SleepFor);
inline std::optional<store::Issued> CommitResolved(
    store::Database& db, const Minted& minted,
    const std::function<std::optional<store::Issued>()>& write,
    const store::Sleeper& sleep = store::SleepFor) {
  return CommitResolved(db.Tokens(), minted, write, sleep);
}

TokenResponse Respond(const Minted& minted, const store::Issued& issued,
                      const std::vector<std::string>& scopes);

}  // namespace oakgate::oauth::grants
