// POST /oauth/revoke (RFC 7009): token and optional token_type_hint.
#include "gateway/handlers/oauth/endpoints.hpp"
#include "gateway/handlers/oauth/oauth_http.hpp"

namespace oakgate::handlers::oauth {

http::Response Revoke(const OAuthContext& ctx, const http::Request& request) {
  auto params = ParseOAuthBody(request);
  if (!params) return OAuthErrorResponse(params.error());
  oakgate::oauth::RevokeRequest in;
  in.token = Param(params.value(), "token");
  in.token_type_hint = Param(params.value(), "token_type_hint");
  in.credentials = CredentialsOf(request, params.value());

  auto result = ctx.revocation.Revoke(in, CallerOf(request));
  if (!result) return OAuthErrorResponse(result.error());
  // RFC 7009 §2.2: 200 whether or not the token existed.
  http::Response r = JsonNoStore(200, "{}");
  return r;
}

}  // namespace oakgate::handlers::oauth
