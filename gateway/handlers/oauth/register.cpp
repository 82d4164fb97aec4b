// POST /oauth/register (RFC 7591 §3): parse, call the registration service, render 201 with
// the registered metadata (§3.2.1) or the §3.2.2 error.
#include <nlohmann/json.hpp>

#include "gateway/handlers/oauth/endpoints.hpp"
#include "gateway/handlers/oauth/oauth_http.hpp"
#include "gateway/oauth/scope.hpp"

namespace oakgate::handlers::oauth {

http::Response Register(const OAuthContext& ctx, const http::Request& request) {
  oakgate::oauth::RegistrationRequest in;
  in.media_type = request.MediaType();
  in.body = request.body;
  in.authorization_count = request.HeaderCount("authorization");
  if (auto h = request.Header("authorization")) in.authorization = std::string(*h);

  auto result = ctx.registration.Register(in, CallerOf(request));
  if (!result) return OAuthErrorResponse(result.error());
  const auto& c = result.value().client;
  const auto& m = result.value().metadata;
  nlohmann::ordered_json body = {{"client_id", c.id},
                                 {"client_id_issued_at", c.created_at},
                                 {"redirect_uris", c.redirect_uris},
                                 {"grant_types", c.grant_types},
                                 {"response_types", m.response_types},
                                 {"token_endpoint_auth_method", m.token_endpoint_auth_method},
                                 {"scope", oakgate::oauth::JoinScope(c.scopes)}};
  if (!c.name.empty()) body["client_name"] = c.name;
  // RFC 7591 §3.2.1: 201 Created, not cached.
  return JsonNoStore(201, body.dump());
}

}  // namespace oakgate::handlers::oauth
