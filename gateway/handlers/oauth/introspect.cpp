// POST /oauth/introspect (RFC 7662): token and optional token_type_hint.
#include <nlohmann/json.hpp>

#include "gateway/handlers/oauth/endpoints.hpp"
#include "gateway/handlers/oauth/oauth_http.hpp"

namespace oakgate::handlers::oauth {

http::Response Introspect(const OAuthContext& ctx, const http::Request& request) {
  auto params = ParseOAuthBody(request);
  if (!params) return OAuthErrorResponse(params.error());
  oakgate::oauth::IntrospectRequest in;
  in.token = Param(params.value(), "token");
  in.token_type_hint = Param(params.value(), "token_type_hint");
  in.credentials = CredentialsOf(request, params.value());

  auto result = ctx.introspection.Introspect(in, CallerOf(request));
  if (!result) {
    http::Response r = OAuthErrorResponse(result.error());
    // CONTRACT §4: an authenticated client that may not introspect gets 403.
    if (result.error().code == oakgate::oauth::ErrorCode::kUnauthorizedClient) r.status = 403;
    return r;
  }
  const auto& i = result.value();
  nlohmann::ordered_json body = {{"active", i.active}};
  if (i.active) {
    if (i.scope) body["scope"] = *i.scope;
    if (i.client_id) body["client_id"] = *i.client_id;
    if (i.username) body["username"] = *i.username;
    if (i.sub) body["sub"] = *i.sub;
    body["token_type"] = i.token_type;
    if (i.exp) body["exp"] = *i.exp;
    if (i.iat) body["iat"] = *i.iat;
    if (i.iss) body["iss"] = *i.iss;
    // RFC 7662 §2.2: a string for one audience, an array for several.
    if (i.aud.size() == 1) body["aud"] = i.aud.front();
    if (i.aud.size() > 1) body["aud"] = i.aud;
    for (const auto& [k, v] : i.extra) body[k] = v;
  }
  return JsonNoStore(200, body.dump());
}

}  // namespace oakgate::handlers::oauth
