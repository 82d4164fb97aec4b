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
  // A public client needs no secret, so without this anybody could probe tokens here at will:
  // an address that failed too many lookups learns nothing more until it waits (G9).
  if (throttle_) {
    if (int64_t wait = throttle_->Blocked(caller.client_address)) return Fail(TooManyLookups(wait));
  }
  Found found = RevokeToken(*request.token, client.value().client.id, caller);
  // An unknown token and another client's are both what a scan finds; a client revoking its
  // own tokens finds neither.
  if (found != Found::kOurs && throttle_) {
    if (int64_t wait = throttle_->Failed(caller.client_address)) return Fail(TooManyLookups(wait));
  }
  if (found == Found::kNotYours) return Fail(NotYours());
  return true;
}

RevocationService::Found RevocationService::RevokeToken(const std::string& token,
                                                        const std::string& me,
                                                        const Caller& caller) {
  // The prefix says what the token is; token_type_hint is only a hint (RFC 7009 §2.1).
  if (HasTokenShape(token, kAccessTokenPrefix)) {
    auto owner = db_.Tokens().FindAccessTokenOwner(crypto::ToBytes(crypto::Sha256(token)));
    if (!owner) return Found::kUnknown;
    if (owner->client_id != me) return Found::kNotYours;
    db_.Tokens().RevokeAccessToken(
        owner->id, AuditEventOf(caller, {"oauth.token_revoked", "", me,
                                         "access_token:" + std::to_string(owner->id), ""}));
    return Found::kOurs;
  }
  if (HasTokenShape(token, kRefreshTokenPrefix)) {
    auto t = db_.Tokens().FindRefreshToken(crypto::ToBytes(crypto::Sha256(token)));
    if (!t) return Found::kUnknown;
    if (t->client_id != me) return Found::kNotYours;
    db_.Tokens().RevokeFamily(
        t->family_id, "revoked",
        AuditEventOf(caller, {"oauth.token_revoked", t->user_id.value_or(""), me,
                              "family:" + std::to_string(t->family_id), ""}));
    return Found::kOurs;
  }
  return Found::kUnknown;  // not one of ours: nothing to revoke
}

}  // namespace oakgate::oauth
