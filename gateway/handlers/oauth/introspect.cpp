// POST /oauth/introspect (RFC 7662): token and optional token_type_hint.
#include <nlohmann/json.hpp>

#include "gateway/handlers/oauth/endpoints.hpp"
#include "gateway/handlers/oauth/oauth_http.hpp"

namespace oakgate::handlers::oauth {

namespace {

oakgate::oauth::IntrospectRequest ReadRequest(const http::Request& request,
                                              const http::Params& params) {
  oakgate::oauth::IntrospectRequest in;
  in.token = Param(params, "token");
  in.token_type_hint = Param(params, "token_type_hint");
  in.credentials = CredentialsOf(request, params);
  return in;
}

http::Response Answer(const oakgate::oauth::Introspection& i) {
  // RFC 7662 §2.2: the same fixed answer for every inactive token.
  static const std::string kInactive = R"({"active":false})";
  if (i.rendered) return JsonNoStore(200, *i.rendered);
  if (!i.active) return JsonNoStore(200, kInactive);
  return JsonNoStore(200, RenderIntrospection(i));
}

}  // namespace

std::string RenderIntrospection(const oakgate::oauth::Introspection& i) {
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
  return body.dump();
}

std::optional<http::Response> IntrospectCached(const OAuthContext& ctx,
                                               const http::Request& request) {
  auto params = ParseOAuthBody(request);
  if (!params) return std::nullopt;  // the pool answers the error, as it always has
  auto answer =
      ctx.introspection.TryCached(ReadRequest(request, params.value()), CallerOf(request));
  if (!answer) return std::nullopt;
  return Answer(*answer);
}

http::Response Introspect(const OAuthContext& ctx, const http::Request& request) {
  auto params = ParseOAuthBody(request);
  if (!params) return OAuthErrorResponse(params.error());
  auto result =
      ctx.introspection.Introspect(ReadRequest(request, params.value()), CallerOf(request));
  if (!result) {
    http::Response r = OAuthErrorResponse(result.error());
    // CONTRACT §4: an authenticated client that may not introspect gets 403.
    if (result.error().code == oakgate::oauth::ErrorCode::kUnauthorizedClient) r.status = 403;
    return r;
  }
  return Answer(result.value());
}

}  // namespace oakgate::handlers::oauth
