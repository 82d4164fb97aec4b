#pragma once
#include <optional>
#include <string>

#include "gateway/handlers/oauth/oauth_context.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/http/router.hpp"

namespace oakgate::handlers::oauth {

// POST /oauth/token (RFC 6749 §3.2, §5)
http::Response Token(const OAuthContext& ctx, http::Request& request);
// On the reactor thread: true when the common client_credentials request or refresh went to
// its writer, which replies once the tokens are stored; false to post the request to the pool,
// with its parsed body kept on it (http::Request::parsed) for Token.
bool TokenAsync(const OAuthContext& ctx, http::Request& request, http::Reply reply);
// POST /oauth/introspect (RFC 7662)
http::Response Introspect(const OAuthContext& ctx, const http::Request& request);
// On the reactor thread: the answer when the caches hold it, else nullopt (then Introspect
// runs on the pool).
std::optional<http::Response> IntrospectCached(const OAuthContext& ctx,
                                               const http::Request& request);
std::string RenderIntrospection(const oakgate::oauth::Introspection& i);
// POST /oauth/revoke (RFC 7009)
http::Response Revoke(const OAuthContext& ctx, const http::Request& request);
// GET /.well-known/oauth-authorization-server[/<issuer path>] (RFC 8414)
http::Response Discovery(const OAuthContext& ctx, const http::Request& request);
// POST /oauth/register (RFC 7591)
http::Response Register(const OAuthContext& ctx, const http::Request& request);
// GET /oauth/authorize
http::Response Authorize(const OAuthContext& ctx, const http::Request& request);
// POST /oauth/authorize: the consent form's approve or deny
http::Response AuthorizeDecision(const OAuthContext& ctx, const http::Request& request);

}  // namespace oakgate::handlers::oauth
