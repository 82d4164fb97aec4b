// RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5-4.6) and code-replay revocation (RFC 6749 §4.1.2,
// OAuth 2.1 §7.5.2).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/audit.hpp"
#include "gateway/oauth/grants/grant.hpp"
#include "gateway/oauth/grants/issue.hpp"
#include "gateway/oauth/pkce.hpp"
#include "gateway/oauth/scope.hpp"

namespace oakgate::oauth::grants {
namespace {

constexpr size_t kCodeLength = 43;  // 256 random bits, base64url

bool HasCodeShape(const std::string& code) {
  if (code.size() != kCodeLength) return false;
  for (char c : code) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

OAuthError Invalid(std::string detail) {
  return MakeError(ErrorCode::kInvalidGrant, "the authorization code is invalid, expired or used",
                   std::move(detail));
}

// Would this request have redeemed the code, had it been unused? Only then may a replay revoke
// what the code issued: anyone holding a used code could otherwise revoke the victim's tokens
// (PITFALLS 5).
std::optional<OAuthError> CheckBinding(const store::AuthorizationCode& code,
                                       const AuthenticatedClient& client,
                                       const TokenRequest& request) {
  if (code.client_id != client.client.id) return Invalid("code issued to another client");
  // RFC 6749 §4.1.3: redirect_uri must be identical when it was included at authorize.
  if (code.redirect_uri_given &&
      (!request.redirect_uri || *request.redirect_uri != code.redirect_uri)) {
    return Invalid("redirect_uri differs from the authorization request");
  }
  if (!code.redirect_uri_given && request.redirect_uri &&
      *request.redirect_uri != code.redirect_uri) {
    return Invalid("redirect_uri differs from the registered one");
  }
  // RFC 7636 §4.6: BASE64URL(SHA256(verifier)) must equal the challenge.
  if (!request.code_verifier || !IsValidCodeVerifier(*request.code_verifier) ||
      !VerifyS256(*request.code_verifier, code.code_challenge)) {
    return Invalid("code_verifier missing or wrong");
  }
  return std::nullopt;
}

// The refusal of a replayed code, with what it issued revoked.
OAuthError RevokeReplayed(const GrantContext& ctx, const store::AuthorizationCode& code,
                          std::string detail) {
  OAuthError e = Invalid(std::move(detail));
  if (!code.family_id) return e;
  e.revoked = true;
  ctx.tokens.RevokeFamily(
      *code.family_id, "code_reuse",
      AuditEventOf(ctx.caller, {"oauth.code_reuse_detected", code.user_id, code.client_id,
                                "family:" + std::to_string(*code.family_id), ""}));
  return e;
}

}  // namespace

TokenResult AuthorizationCode(const GrantContext& ctx, const AuthenticatedClient& client,
                              const TokenRequest& request) {
  using util::Fail;
  if (!request.code) return Fail(MakeError(ErrorCode::kInvalidRequest, "code is required"));
  if (!HasCodeShape(*request.code)) return Fail(Invalid("malformed code"));
  std::string hash = crypto::ToBytes(crypto::Sha256(*request.code));
  auto code = ctx.tokens.FindCode(hash);
  if (!code) return Fail(Invalid("unknown code"));
  if (auto wrong = CheckBinding(*code, client, request)) return Fail(std::move(*wrong));
  if (code->used) return Fail(RevokeReplayed(ctx, *code, "code used before"));
  if (code->expired) return Fail(Invalid("code expired"));
  if (code->user_disabled) return Fail(Invalid("user disabled"));

  // A refresh token only for clients registered for the refresh_token grant.
  const auto& grants = client.client.grant_types;
  bool refresh = std::find(grants.begin(), grants.end(), "refresh_token") != grants.end();
  // RFC 8707 §2.2: `resource` here selects among the resources authorized.
  auto audience =
      SelectAudience(ctx.resources, code->resources, request.resources, code->scopes, false);
  if (!audience) return Fail(audience.error());
  Minted minted =
      Mint(refresh, audience.value().scopes, ctx.settings.access_token_ttl, audience.value().uris);
  // Written with the tokens, in the redemption's transaction (subject: the new family).
  minted.stored.audit =
      AuditEventOf(ctx.caller, {"oauth.token_issued", code->user_id, client.client.id, "",
                                nlohmann::json({{"grant_type", "authorization_code"}}).dump()});
  auto issued = CommitResolved(
      ctx.tokens, minted,
      [&] {
        return ctx.tokens.RedeemCode(*code, ctx.settings.refresh_token_ttl,
                                     ctx.settings.refresh_idle_ttl, minted.stored);
      },
      ctx.sleep);
  if (!issued) {
    // Lost the compare-and-set: a concurrent request redeemed it first (and has committed,
    // since our UPDATE waited for it), or it just expired. This request was otherwise valid,
    // so the race counts as a replay: revoke what the winner got.
    auto now = ctx.tokens.FindCode(hash);
    if (now && now->used) return Fail(RevokeReplayed(ctx, *now, "code used concurrently"));
    return Fail(Invalid("code expired"));
  }
  return Respond(minted, *issued, audience.value().scopes);
}

}  // namespace oakgate::oauth::grants
