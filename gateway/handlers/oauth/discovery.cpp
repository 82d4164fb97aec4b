// GET /.well-known/oauth-authorization-server (RFC 8414): built once, served from memory.
#include "gateway/handlers/oauth/endpoints.hpp"
#include "gateway/handlers/oauth/oauth_http.hpp"

namespace oakgate::handlers::oauth {

http::Response Discovery(const OAuthContext& ctx, const http::Request&) {
  http::Response r = http::Response::Json(200, ctx.discovery_document);
  r.Set("Cache-Control", "public, max-age=300");
  return r;
}

}  // namespace oakgate::handlers::oauth
