#pragma once
// Minting tokens and committing them, shared by the grants.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gateway/oauth/grants/grant.hpp"
#include "gateway/store/database.hpp"

namespace oakgate::oauth::grants {

struct Minted {
  std::string access_token;
  std::string refresh_token;  // "" when none
  store::NewTokens stored;    // their hashes, as the store takes them
};

Minted Mint(bool with_refresh, const std::vector<std::string>& access_scopes, int64_t ttl);

// Runs the commit in `write`. When its outcome is unknown (util::CommitInDoubt: the
// connection dropped during COMMIT), asks a fresh connection whether the minted access token
// was stored and answers accordingly, so a client's retry is never mistaken for reuse
// (CONTRACT §4, PITFALLS 3). If that cannot be known either, util::ServiceUnavailable
// propagates: 503 with nothing claimed.
std::optional<store::Issued> CommitResolved(
    store::Database& db, const Minted& minted,
    const std::function<std::optional<store::Issued>()>& write);

TokenResponse Respond(const Minted& minted, const store::Issued& issued,
                      const std::vector<std::string>& scopes);

}  // namespace oakgate::oauth::grants
