#include "gateway/oauth/introspection.hpp"

#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/oauth/scope.hpp"

namespace oakgate::oauth {
namespace {

// RFC 7662 §2.2 with RFC 8707: a token bound to resources is active only to the clients those
// resources' servers introspect with. A resource deleted since has no introspectors.
bool MayIntrospectAudience(store::Database& db, const std::vector<std::string>& audience,
                           const std::string& caller_id) {
  if (audience.empty()) return true;
  for (const auto& r : db.Resources().FindMany(audience)) {
    for (const auto& id : r.introspectors) {
      if (id == caller_id) return true;
    }
  }
  return false;
}

}  // namespace

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
  const std::string& token = *request.token;
  const store::Client& caller_client = client.value().client;

  Introspection out;
  if (HasTokenShape(token, kAccessTokenPrefix)) {
    std::string hash = crypto::ToBytes(crypto::Sha256(token));
    if (inactive_ && inactive_->Contains(hash)) return out;
    AccessTokenVerifier verifier(db_);
    auto t = verifier.Verify(token);
    if (!t) {
      if (inactive_) inactive_->Add(hash);  // inactive for good: see inactive_token_cache.hpp
      return out;
    }
    if (!MayIntrospectAudience(db_, t->audience, caller_client.id)) return out;
    out.active = true;
    out.aud = t->audience;
    out.token_type = "Bearer";
    out.scope = JoinScope(t->scopes);
    out.client_id = t->client_id;
    if (t->user_id) {
      out.username = t->username;
      out.sub = *t->user_id;
    } else {
      out.sub = t->client_id;  // client credentials: the client is the subject
    }
    out.exp = t->expires_at;
    out.iat = t->issued_at;
    out.iss = issuer_;
    return out;
  }
  if (HasTokenShape(token, kRefreshTokenPrefix)) {
    auto t = db_.Tokens().FindRefreshToken(crypto::ToBytes(crypto::Sha256(token)));
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
  return out;  // malformed or unknown: inactive
}

}  // namespace oakgate::oauth
