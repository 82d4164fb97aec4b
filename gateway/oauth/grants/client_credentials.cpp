// RFC 6749 §4.4: confidential clients allowed this grant; no refresh token (§4.4.3).
#include "gateway/oauth/grants/client_credentials.hpp"

#include "gateway/oauth/audit.hpp"
#include "gateway/oauth/scope.hpp"

namespace oakgate::oauth::grants {

util::Result<ClientCredentialsToken, OAuthError> PrepareClientCredentials(
    const GrantContext& ctx, const AuthenticatedClient& client, const TokenRequest& request) {
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
  auto audience =
      SelectAudience(ctx.resources, {}, request.resources, scopes, request.scope.has_value());
  if (!audience) return Fail(audience.error());
  ClientCredentialsToken t;
  t.scopes = audience.value().scopes;
  t.minted = Mint(false, t.scopes, ctx.settings.access_token_ttl, audience.value().uris);
  // The audit event commits with the token: one durable write per token.
  t.write = {client.client.id, t.minted.stored,
             AuditEventOf(ctx.caller, {"oauth.token_issued", "", client.client.id, "",
                                       R"({"grant_type":"client_credentials"})"})};
  return t;
}

TokenResult ClientCredentials(const GrantContext& ctx, const AuthenticatedClient& client,
                              const TokenRequest& request) {
  auto token = PrepareClientCredentials(ctx, client, request);
  if (!token) return util::Fail(token.error());
  const ClientCredentialsToken& t = token.value();
  auto issued = CommitResolved(
      ctx.tokens, t.minted,
      [&]() -> std::optional<store::Issued> {
        return ctx.tokens.IssueClientCredentials({t.write}).at(0);
      },
      ctx.sleep);
  return Respond(t.minted, *issued, t.scopes);
}

}  // namespace oakgate::oauth::grants
