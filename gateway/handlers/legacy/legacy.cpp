#include "gateway/handlers/legacy/legacy.hpp"

#include <nlohmann/json.hpp>

#include "gateway/handlers/oauth/endpoints.hpp"
#include "gateway/handlers/oauth/oauth_http.hpp"
#include "gateway/oauth/scope.hpp"
#include "gateway/observe/metrics.hpp"

namespace oakgate::handlers::legacy {
namespace {

using handlers::oauth::CallerOf;
using handlers::oauth::CredentialsOf;
using handlers::oauth::JsonNoStore;
using handlers::oauth::OAuthErrorResponse;
using handlers::oauth::Param;
using oakgate::legacy::Outcome;

// So an operator sees when nothing uses the bridge any more (CONTRACT §12).
void Count(std::string_view endpoint, Outcome outcome) {
  observe::Metrics()
      .GetCounter("oakgate_legacy_jwt_requests_total",
                  "Calls of the legacy JWT bridge, by endpoint and result",
                  {{"endpoint", std::string(endpoint)},
                   {"result", std::string(oakgate::legacy::OutcomeName(outcome))}})
      .Inc();
}

// RFC 9745 (Deprecation: true, as CONTRACT §12 spells it) and RFC 8594 (Sunset).
http::Response Deprecated(const LegacyContext& ctx, http::Response r) {
  r.Set("Deprecation", "true");
  if (!ctx.sunset.empty()) r.Set("Sunset", ctx.sunset);
  return r;
}

}  // namespace

http::Response LegacyIntrospect(const LegacyContext& ctx, const http::Request& request) {
  auto params = handlers::oauth::ParseOAuthBody(request);
  if (!params) {
    Count("introspect", Outcome::kClientError);
    return Deprecated(ctx, OAuthErrorResponse(params.error()));
  }
  oakgate::legacy::IntrospectRequest in;
  in.token = Param(params.value(), "token");
  in.credentials = CredentialsOf(request, params.value());
  Outcome outcome = Outcome::kClientError;
  auto result = ctx.bridge.Introspect(in, CallerOf(request), &outcome);
  Count("introspect", outcome);
  if (!result) {
    http::Response r = OAuthErrorResponse(result.error());
    // As /oauth/introspect: an authenticated client that may not introspect gets 403.
    if (result.error().code == oakgate::oauth::ErrorCode::kUnauthorizedClient) r.status = 403;
    return Deprecated(ctx, std::move(r));
  }
  if (!result.value().active) return Deprecated(ctx, JsonNoStore(200, R"({"active":false})"));
  return Deprecated(ctx, JsonNoStore(200, handlers::oauth::RenderIntrospection(result.value())));
}

http::Response LegacyExchange(const LegacyContext& ctx, const http::Request& request) {
  auto params = handlers::oauth::ParseOAuthBody(request);
  if (!params) {
    Count("exchange", Outcome::kClientError);
    return Deprecated(ctx, OAuthErrorResponse(params.error()));
  }
  oakgate::legacy::ExchangeRequest in;
  in.token = Param(params.value(), "token");
  in.scope = Param(params.value(), "scope");
  Outcome outcome = Outcome::kClientError;
  auto result = ctx.bridge.Exchange(in, CallerOf(request), &outcome);
  Count("exchange", outcome);
  if (!result) return Deprecated(ctx, OAuthErrorResponse(result.error()));
  const auto& ok = result.value();
  // RFC 8693 §2.2.1.
  nlohmann::ordered_json body = {
      {"access_token", ok.access_token},
      {"issued_token_type", "urn:ietf:params:oauth:token-type:access_token"},
      {"token_type", "Bearer"},
      {"expires_in", ok.expires_in}};
  if (ok.refresh_token) body["refresh_token"] = *ok.refresh_token;
  body["scope"] = oakgate::oauth::JoinScope(ok.scopes);
  return Deprecated(ctx, JsonNoStore(200, body.dump()));
}

}  // namespace oakgate::handlers::legacy
