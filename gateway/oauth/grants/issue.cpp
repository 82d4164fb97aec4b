#include "gateway/oauth/grants/issue.hpp"

#include <chrono>

#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/oauth/resources.hpp"
#include "gateway/oauth/scope.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::oauth::grants {

Minted Mint(bool with_refresh, const std::vector<std::string>& access_scopes, int64_t ttl,
            const std::vector<std::string>& audience) {
  Minted m;
  m.access_token = NewAccessToken();
  m.stored.access_hash = crypto::ToBytes(crypto::Sha256(m.access_token));
  if (with_refresh) {
    m.refresh_token = NewRefreshToken();
    m.stored.refresh_hash = crypto::ToBytes(crypto::Sha256(m.refresh_token));
  }
  m.stored.access_scopes = access_scopes;
  m.stored.audience = audience;
  m.stored.access_ttl_seconds = ttl;
  return m;
}

util::Result<Audience, OAuthError> SelectAudience(store::ResourceStore& resources,
                                                  const std::vector<std::string>& granted,
                                                  const std::vector<std::string>& requested,
                                                  const std::vector<std::string>& scopes,
                                                  bool scope_explicit) {
  using util::Fail;
  if (requested.empty()) return Audience{granted, scopes};
  auto resolved = ResolveResources(resources, requested);
  if (!resolved) return Fail(resolved.error());
  std::vector<std::string> uris = UrisOf(resolved.value());
  if (!granted.empty() && !IsSubset(uris, granted)) {
    OAuthError e = MakeError(ErrorCode::kInvalidTarget, "resource was not part of the grant");
    e.field = "resource";
    return Fail(std::move(e));
  }
  std::vector<std::string> offered = ScopesOf(resolved.value());
  if (scope_explicit && !IsSubset(scopes, offered)) {
    return Fail(MakeError(ErrorCode::kInvalidScope, "scope exceeds what the resource offers"));
  }
  return Audience{uris, Intersect(scopes, offered)};
}

std::optional<store::Issued> CommitResolved(
    store::TokenStore& tokens, const Minted& minted,
    const std::function<std::optional<store::Issued>()>& write, const store::Sleeper& sleep) {
  try {
    return write();
  } catch (const util::CommitInDoubt& e) {
    observe::Warn("commit in doubt; resolving", {{"detail", e.what()}});
  }
  // Guard dropped the connection; each lookup runs on a fresh one.
  auto lookup = [&](const store::NewTokens& t) {
    std::vector<store::Resolution<store::Issued>> out(1);
    if (tokens.AccessTokenStored(t.access_hash)) {
      out[0] = {store::InDoubt::kStored, store::Issued{0, t.access_ttl_seconds}};
    } else {
      out[0].state = store::InDoubt::kNotStored;
    }
    return out;
  };
  auto resolved = store::ResolveInDoubt<store::Issued>(lookup, minted.stored, 1, 21,
                                                       std::chrono::milliseconds(250), sleep);
  switch (resolved[0].state) {
    case store::InDoubt::kStored:
      observe::Info("commit in doubt took effect; answering with its tokens");
      return resolved[0].value;
    case store::InDoubt::kNotStored:
      throw util::ServiceUnavailable("commit in doubt did not take effect; nothing issued");
    case store::InDoubt::kUnknown:
      break;
  }
  throw util::ServiceUnavailable("commit in doubt could not be resolved");
}

TokenResponse Respond(const Minted& minted, const store::Issued& issued,
                      const std::vector<std::string>& scopes) {
  TokenResponse r;
  r.access_token = minted.access_token;
  r.expires_in = issued.expires_in;
  if (!minted.refresh_token.empty()) r.refresh_token = minted.refresh_token;
  r.scopes = scopes;
  r.audience = minted.stored.audience;
  return r;
}

}  // namespace oakgate::oauth::grants
