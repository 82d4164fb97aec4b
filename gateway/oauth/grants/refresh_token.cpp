// RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2): every use returns a new
// refresh token and retires the old one; presenting a retired one revokes the family, except
// within refresh_grace of its rotation while its child has never been used.
#include "gateway/oauth/grants/refresh_token.hpp"

#include <nlohmann/json.hpp>

#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/oauth/audit.hpp"
#include "gateway/oauth/grants/grant.hpp"
#include "gateway/oauth/grants/issue.hpp"
#include "gateway/oauth/scope.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::oauth::grants {
namespace {

OAuthError Invalid(std::string detail) {
  return MakeError(ErrorCode::kInvalidGrant, "the refresh token is invalid, expired or revoked",
                   std::move(detail));
}

// A reused refresh token: its family was revoked.
OAuthError Revoked() {
  OAuthError e = Invalid("refresh token reused; family revoked");
  e.revoked = true;
  return e;
}

// The event of a change to the family of `t`, written in the change's transaction.
store::AuditEvent Event(const GrantContext& ctx, const store::RefreshTokenRecord& t,
                        const char* type, const char* detail) {
  return AuditEventOf(ctx.caller, {type, t.user_id.value_or(""), t.client_id,
                                   "family:" + std::to_string(t.family_id),
                                   nlohmann::json({{"detail", detail}}).dump()});
}

void CountReuse() {
  observe::Metrics()
      .GetCounter("oakgate_refresh_reuse_detected_total",
                  "Retired refresh tokens presented again (each revoked its family)")
      .Inc();
}

}  // namespace

std::optional<Rotation> PrepareRotation(const OAuthSettings& settings, const Caller& caller,
                                        const AuthenticatedClient& client,
                                        const TokenRequest& request) {
  if (request.scope || !request.resources.empty() || !request.refresh_token ||
      !HasTokenShape(*request.refresh_token, kRefreshTokenPrefix)) {
    return std::nullopt;
  }
  Rotation r;
  // The access token gets the family's scopes and resources (the store's, at rotation).
  r.minted = Mint(true, {}, settings.access_token_ttl);
  r.request.presented_hash = crypto::ToBytes(crypto::Sha256(*request.refresh_token));
  r.request.client_id = client.client.id;
  r.request.tokens = r.minted.stored;
  r.request.audit = AuditEventOf(
      caller, {"oauth.token_refreshed", "", client.client.id, "", R"({"detail":"rotated"})"});
  return r;
}

TokenResponse RespondRotated(const Minted& minted, const store::Rotated& rotated) {
  TokenResponse r;
  r.access_token = minted.access_token;
  r.expires_in = rotated.issued.expires_in;
  r.refresh_token = minted.refresh_token;
  r.scopes = rotated.scopes;
  r.audience = rotated.audience;
  return r;
}

TokenResult RefreshToken(const GrantContext& ctx, const AuthenticatedClient& client,
                         const TokenRequest& request) {
  using util::Fail;
  if (!request.refresh_token) {
    return Fail(MakeError(ErrorCode::kInvalidRequest, "refresh_token is required"));
  }
  if (!HasTokenShape(*request.refresh_token, kRefreshTokenPrefix)) {
    return Fail(Invalid("malformed refresh token"));
  }
  // The common refresh first: one statement in the rotations' group commit. Whatever it leaves
  // out (unknown, another client's, retired, a family no longer live) is decided below.
  if (ctx.rotate) {
    if (auto rotation = PrepareRotation(ctx.settings, ctx.caller, client, request)) {
      store::Outcome<store::Rotated> outcome = ctx.rotate(rotation->request);
      if (outcome.stored()) return RespondRotated(rotation->minted, *outcome.value);
      if (outcome.status != store::Committed::kSkipped) {
        throw util::ServiceUnavailable("refresh rotation not stored");
      }
    }
  }
  std::string hash = crypto::ToBytes(crypto::Sha256(*request.refresh_token));
  // Two rounds at most: a lost compare-and-set is decided again on fresh data.
  for (int round = 0; round < 2; ++round) {
    auto old = ctx.tokens.FindRefreshToken(hash);
    if (!old) return Fail(Invalid("unknown refresh token"));
    // Another client's token proves nothing about that client: refuse, revoke nothing.
    if (old->client_id != client.client.id) return Fail(Invalid("issued to another client"));
    if (!old->family_active || old->revoked) return Fail(Invalid("family revoked or expired"));

    // OAuth 2.1 §4.3.3: a narrower scope narrows the access token only; the new refresh
    // token keeps the family's scope.
    std::vector<std::string> scopes = old->family_scopes;
    if (request.scope) {
      auto asked = ParseScope(*request.scope);
      if (!asked || !IsSubset(*asked, old->family_scopes)) {
        return Fail(MakeError(ErrorCode::kInvalidScope,
                              "scope must not exceed the scope originally granted"));
      }
      if (!asked->empty()) scopes = *asked;
    }

    // RFC 8707 §2.2: a refresh may narrow the resources, never widen them; the new refresh
    // token keeps the family's resources.
    auto audience = SelectAudience(ctx.resources, old->family_resources, request.resources, scopes,
                                   request.scope.has_value());
    if (!audience) return Fail(audience.error());
    scopes = audience.value().scopes;
    Minted minted = Mint(true, scopes, ctx.settings.access_token_ttl, audience.value().uris);
    std::optional<store::Issued> issued;
    if (!old->retired) {
      minted.stored.audit = Event(ctx, *old, "oauth.token_refreshed", "rotated");
      issued = CommitResolved(
          ctx.tokens, minted, [&] { return ctx.tokens.Rotate(*old, minted.stored); }, ctx.sleep);
      if (issued) return Respond(minted, *issued, scopes);
      continue;  // rotated concurrently: decide again as a retired token
    }
    bool in_grace = ctx.settings.refresh_grace > 0 &&
                    old->ms_since_retired < ctx.settings.refresh_grace * 1000 &&
                    old->unused_child_id.has_value();
    if (in_grace) {
      int64_t child = *old->unused_child_id;
      minted.stored.audit =
          Event(ctx, *old, "oauth.token_refreshed", "grace: unused child retired");
      issued = CommitResolved(
          ctx.tokens, minted, [&] { return ctx.tokens.RotateAgain(*old, child, minted.stored); },
          ctx.sleep);
      if (issued) return Respond(minted, *issued, scopes);
      continue;  // the child was used meanwhile
    }
    // A retired token presented again: someone else may hold it (RFC 9700 §4.14.2).
    ctx.tokens.RevokeFamily(old->family_id, "refresh_reuse",
                            Event(ctx, *old, "oauth.refresh_reuse_detected", "family revoked"));
    CountReuse();
    return Fail(Revoked());
  }
  auto last = ctx.tokens.FindRefreshToken(hash);
  if (last) {
    ctx.tokens.RevokeFamily(
        last->family_id, "refresh_reuse",
        Event(ctx, *last, "oauth.refresh_reuse_detected", "family revoked after a race"));
    CountReuse();
    return Fail(Revoked());
  }
  return Fail(Invalid("refresh token reused; family revoked"));
}

}  // namespace oakgate::oauth::grants
