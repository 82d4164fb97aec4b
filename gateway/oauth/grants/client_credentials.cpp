// RFC 6749 §4.4: confidential clients allowed this grant; no refresh token (§4.4.3).
#include <nlohmann/json.hpp>

#include "gateway/oauth/audit.hpp"
#include "gateway/oauth/grants/grant.hpp"
#include "gateway/oauth/grants/issue.hpp"
#include "gateway/oauth/scope.hpp"

namespace oakgate::oauth::grants {

TokenResult ClientCredentials(const GrantContext& ctx, const AuthenticatedClient& client,
                              const TokenRequest& request) {
  using util::Fail;
  if (!client.client.confidential) {
    return Fail(MakeError(ErrorCode::kUnauthorizedClient,
                          "client_credentials is only for confidential clients"));
  }
  // RFC 6749 §3.3: an omitted scope means the client's registered scopes.
  std::vector<std::string> scopes = client.client.scopes;
  if (request.scope) {
    auto asked = ParseScope(*request.scope);
    if (!asked || !IsSubset(*asked, client.client.scopes)) {
      return Fail(MakeError(ErrorCode::kInvalidScope, "scope exceeds the client's registration"));
    }
    if (!asked->empty()) scopes = *asked;
  }
  if (request.resources.empty() && client.client.requires_resource) {
    return Fail(MakeError(ErrorCode::kInvalidTarget, "this client must name a resource"));
  }
  // Scopes are checked against the client (above) and the resources (RFC 8707 §2.2).
  auto audience = SelectAudience(ctx.db, {}, request.resources, scopes, request.scope.has_value());
  if (!audience) return Fail(audience.error());
  scopes = audience.value().scopes;
  Minted minted = Mint(false, scopes, ctx.settings.access_token_ttl, audience.value().uris);
  // The audit event commits with the token: one durable write per token.
  store::AuditEvent audit =
      AuditEventOf(ctx.caller, {"oauth.token_issued", "", client.client.id, "",
                                nlohmann::json({{"grant_type", "client_credentials"}}).dump()});
  auto issued = CommitResolved(ctx.db, minted, [&]() -> std::optional<store::Issued> {
    return ctx.db.Tokens().IssueClientCredentials(client.client.id, minted.stored, audit);
  });
  return Respond(minted, *issued, scopes);
}

}  // namespace oakgate::oauth::grants
