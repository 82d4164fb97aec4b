// POST /oauth/token: parse into a TokenRequest, call the token service, render.
#include <any>
#include <nlohmann/json.hpp>

#include "gateway/handlers/oauth/endpoints.hpp"
#include "gateway/handlers/oauth/oauth_http.hpp"
#include "gateway/oauth/scope.hpp"

namespace oakgate::handlers::oauth {
namespace {

using Parsed = util::Result<oakgate::oauth::TokenRequest, oakgate::oauth::OAuthError>;

Parsed ReadTokenRequest(const http::Request& request) {
  auto params = ParseOAuthBody(request);
  if (!params) return util::Fail(params.error());
  const http::Params& p = params.value();
  oakgate::oauth::TokenRequest t;
  t.grant_type = Param(p, "grant_type");
  t.code = Param(p, "code");
  t.redirect_uri = Param(p, "redirect_uri");
  t.code_verifier = Param(p, "code_verifier");
  t.refresh_token = Param(p, "refresh_token");
  t.scope = Param(p, "scope");
  // RFC 8707 §2.2: `resource` may be repeated (ParseOAuthBody allows it for this one name).
  for (const auto& [name, value] : p.items()) {
    if (name == "resource") t.resources.push_back(value);
  }
  t.credentials = CredentialsOf(request, p);
  return t;
}

// The body as a TokenRequest, parsed once per request: TokenAsync parses it on the reactor
// thread and keeps it on the request, so Token, on the pool, reads it there when it declined.
const Parsed& ParsedTokenRequest(http::Request& request) {
  if (const auto* kept = std::any_cast<Parsed>(&request.parsed)) return *kept;
  request.parsed = ReadTokenRequest(request);
  return *std::any_cast<Parsed>(&request.parsed);
}

http::Response Render(const oakgate::oauth::TokenResult& result) {
  if (!result) return OAuthErrorResponse(result.error());
  const auto& ok = result.value();
  nlohmann::ordered_json body = {
      {"access_token", ok.access_token}, {"token_type", "Bearer"}, {"expires_in", ok.expires_in}};
  if (ok.refresh_token) body["refresh_token"] = *ok.refresh_token;
  body["scope"] = oakgate::oauth::JoinScope(ok.scopes);
  // RFC 6749 §5.1: Cache-Control: no-store and Pragma: no-cache.
  return JsonNoStore(200, body.dump());
}

}  // namespace

http::Response Token(const OAuthContext& ctx, http::Request& request) {
  const Parsed& t = ParsedTokenRequest(request);
  if (!t) return OAuthErrorResponse(t.error());
  auto result = ctx.tokens.Exchange(t.value(), CallerOf(request));
  // A reuse revoked tokens: this instance's caches drop them before the client hears of it.
  // Other refusals changed nothing, and cost no broadcast.
  if (!result && result.error().revoked && ctx.sync_caches) ctx.sync_caches();
  return Render(result);
}

bool TokenAsync(const OAuthContext& ctx, http::Request& request, http::Reply reply) {
  const Parsed& t = ParsedTokenRequest(request);
  if (!t) return false;
  // A refresh that detected reuse revoked a family: as in Token, this instance's caches drop
  // its tokens before the client hears of it (on the token service's own thread, never the
  // writer's: only the full grant revokes).
  return ctx.tokens.ExchangeAsync(
      t.value(), CallerOf(request),
      [reply = std::move(reply), sync = ctx.sync_caches](oakgate::oauth::TokenResult result) {
        if (!result && result.error().revoked && sync) sync();
        http::Response r = Render(result);
        reply(std::move(AllowAnyOrigin(r)));
      });
}

}  // namespace oakgate::handlers::oauth
