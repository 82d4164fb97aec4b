#include "gateway/oauth/introspection.hpp"

#include <algorithm>

#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/oauth/scope.hpp"

namespace oakgate::oauth {
Introspection IntrospectionService::AccessTokenAnswer(const store::AccessToken& t) const {
  Introspection out;
  out.active = true;
  out.aud = t.audience;
  out.token_type = "Bearer";
  out.scope = JoinScope(t.scopes);
  out.client_id = t.client_id;
  if (t.user_id) {
    out.username = t.username;
    out.sub = *t.user_id;
  } else {
    out.sub = t.client_id;  // client credentials: the client is the subject
  }
  out.exp = t.expires_at;
  out.iat = t.issued_at;
  out.iss = issuer_;
  return out;
}

std::optional<Introspection> IntrospectionService::TryCached(const IntrospectRequest& request,
                                                             const Caller& caller) {
  if (!request.token) return std::nullopt;
  // An address over its lookup limit is answered by the pool (429); one atomic load otherwise.
  if (throttle_ && throttle_->Blocked(caller.client_address)) return std::nullopt;
  bool access_token = HasTokenShape(*request.token, kAccessTokenPrefix);
  if (!access_token && others_.empty()) return std::nullopt;
  auto client = auth_.TryCached(request.credentials, caller);
  if (!client || !client->client.can_introspect) return std::nullopt;
  if (!access_token) {
    for (const auto& other : others_) {
      if (auto r = other->TryCached(*request.token, client->client)) return r;
    }
    return std::nullopt;
  }
  std::string hash = crypto::ToBytes(crypto::Sha256(*request.token));
  if (active_) {
    if (auto hit = active_->Find(hash, client->client.id, false)) return hit->answer;
  }
  if (inactive_ && inactive_->Contains(hash, false)) return Introspection{};
  return std::nullopt;
}

util::Result<Introspection, OAuthError> IntrospectionService::Introspect(
    const IntrospectRequest& request, const Caller& caller) {
  using util::Fail;
  auto client = auth_.Authenticate(request.credentials, caller);
  if (!client) return Fail(client.error());
  if (!client.value().client.confidential) {
    OAuthError e =
        MakeError(ErrorCode::kInvalidClient, "introspection needs a confidential client");
    e.basic_challenge = true;
    return Fail(std::move(e));
  }
  if (!client.value().client.can_introspect) {
    OAuthError e =
        MakeError(ErrorCode::kUnauthorizedClient, "this client may not call introspection");
    return Fail(std::move(e));
  }
  if (!request.token) return Fail(MakeError(ErrorCode::kInvalidRequest, "token is required"));
  // An address that failed too many lookups learns nothing more until it waits (G9).
  if (throttle_) {
    if (int64_t wait = throttle_->Blocked(caller.client_address)) return Fail(TooManyLookups(wait));
  }
  Introspection out = Lookup(*request.token, client.value().client);
  if (out.unknown && throttle_) {
    if (int64_t wait = throttle_->Failed(caller.client_address)) return Fail(TooManyLookups(wait));
  }
  return out;
}

Introspection IntrospectionService::Lookup(const std::string& token,
                                           const store::Client& caller_client) {
  Introspection out;
  if (HasTokenShape(token, kAccessTokenPrefix)) {
    // One SHA-256 for every lookup: the caches and the database all key on it.
    std::string hash = crypto::ToBytes(crypto::Sha256(token));
    const bool keep = active_ && render_;
    // The token as the cache keeps it, read from the database: nullopt when it is not live.
    auto load = [&]() -> std::optional<CachedToken> {
      if (inactive_ && inactive_->Contains(hash)) return std::nullopt;
      auto t = db_.Tokens().FindActiveAccessToken(hash);
      if (!t) {
        if (inactive_) inactive_->Add(hash);  // inactive for good: see inactive_token_cache.hpp
        return std::nullopt;
      }
      CachedToken entry;
      if (!t->audience.empty()) {
        for (const auto& r : db_.Resources().FindMany(t->audience)) {
          for (const auto& id : r.introspectors) entry.introspectors.push_back(id);
        }
      }
      entry.answer = AccessTokenAnswer(*t);
      if (keep) entry.answer.rendered = std::make_shared<const std::string>(render_(entry.answer));
      entry.family_id = t->family_id;
      entry.client_id = t->client_id;
      entry.user_id = t->user_id.value_or("");
      entry.audience_bound = !t->audience.empty();
      entry.expires_at = t->expires_at;
      return entry;
    };
    std::shared_ptr<const CachedToken> live;
    if (keep) {
      live = active_->GetOrLoad(hash, caller_client.id, load);
    } else if (auto loaded = load()) {
      live = std::make_shared<const CachedToken>(std::move(*loaded));
    }
    if (!live) {
      // Dead or never issued: only the latter is a failed lookup (a resource server sees
      // expired tokens every day). Asked only on this path, and only when it is counted.
      out.unknown = throttle_ && !db_.Tokens().FindAccessTokenOwner(hash);
      return out;
    }
    // RFC 7662 §2.2 with RFC 8707: a token bound to resources is active only to the clients
    // those resources' servers introspect with. A resource deleted since has none.
    if (!ActiveTokenCache::MaySee(*live, caller_client.id)) return out;
    return live->answer;
  }
  if (HasTokenShape(token, kRefreshTokenPrefix)) {
    auto t = db_.Tokens().FindRefreshToken(crypto::ToBytes(crypto::Sha256(token)));
    out.unknown = !t;
    // Active only to the client it was issued to, so a resource server can never take it for
    // an access token.
    if (!t || t->retired || t->revoked || !t->family_active || t->client_id != caller_client.id) {
      return out;
    }
    out.active = true;
    out.token_type = "refresh_token";
    out.aud = t->family_resources;
    out.scope = JoinScope(t->family_scopes);
    out.client_id = t->client_id;
    if (t->user_id) {
      out.username = t->username;
      out.sub = *t->user_id;
    }
    out.exp = t->family_expires_at;
    out.iat = t->family_created_at;
    out.iss = issuer_;
    return out;
  }
  for (const auto& other : others_) {
    if (auto r = other->Introspect(token, caller_client)) return *r;
  }
  out.unknown = true;  // malformed or unknown: inactive
  return out;
}

}  // namespace oakgate::oauth
