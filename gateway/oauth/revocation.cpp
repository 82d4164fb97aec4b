#include "gateway/oauth/revocation.hpp"

#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/oauth/audit.hpp"

namespace oakgate::oauth {
namespace {

OAuthError NotYours() {
  return MakeError(ErrorCode::kUnauthorizedClient, "the token was issued to another client");
}

}  // namespace

util::Result<bool, OAuthError> RevocationService::Revoke(const RevokeRequest& request,
                                                         const Caller& caller) {
  using util::Fail;
  auto client = auth_.Authenticate(request.credentials, caller);
  if (!client) return Fail(client.error());
  if (!request.token) return Fail(MakeError(ErrorCode::kInvalidRequest, "token is required"));
  const std::string& token = *request.token;
  const std::string& me = client.value().client.id;
  // The prefix says what the token is; token_type_hint is only a hint (RFC 7009 §2.1).
  if (HasTokenShape(token, kAccessTokenPrefix)) {
    auto owner = db_.Tokens().FindAccessTokenOwner(crypto::ToBytes(crypto::Sha256(token)));
    if (!owner) return true;
    if (owner->client_id != me) return Fail(NotYours());
    if (db_.Tokens().RevokeAccessToken(owner->id)) {
      RecordAudit(db_, caller,
                  {"oauth.token_revoked", "", me, "access_token:" + std::to_string(owner->id), ""});
    }
    return true;
  }
  if (HasTokenShape(token, kRefreshTokenPrefix)) {
    auto t = db_.Tokens().FindRefreshToken(crypto::ToBytes(crypto::Sha256(token)));
    if (!t) return true;
    if (t->client_id != me) return Fail(NotYours());
    if (db_.Tokens().RevokeFamily(t->family_id, "revoked")) {
      RecordAudit(db_, caller,
                  {"oauth.token_revoked", t->user_id.value_or(""), me,
                   "family:" + std::to_string(t->family_id), ""});
    }
    return true;
  }
  return true;  // not one of ours: nothing to revoke
}

}  // namespace oakgate::oauth
