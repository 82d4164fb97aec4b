#pragma once
// HTTP helpers of the JSON OAuth endpoints (token, introspection, revocation): strict body
// parsing, RFC 6749 §5.2 error bodies, CORS.
#include <optional>
#include <string>
#include <string_view>

#include "gateway/http/params.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/oauth/client_auth.hpp"
#include "gateway/oauth/errors.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::handlers::oauth {

// application/x-www-form-urlencoded or application/json (a flat object of strings), with the
// same rules: a repeated parameter, a value too long or of the wrong JSON type is
// invalid_request.
util::Result<http::Params, oakgate::oauth::OAuthError> ParseOAuthBody(const http::Request& request);
// RFC 6749 §3.1: a parameter sent without a value is treated as omitted.
std::optional<std::string> Param(const http::Params& params, std::string_view name);

oakgate::oauth::ClientCredentials CredentialsOf(const http::Request& request,
                                                const http::Params& params);
oakgate::oauth::Caller CallerOf(const http::Request& request);

// JSON {"error", "error_description"[, "field"]} with the table's status, Cache-Control:
// no-store, WWW-Authenticate: Basic and Retry-After where they apply.
http::Response OAuthErrorResponse(const oakgate::oauth::OAuthError& error);
http::Response JsonNoStore(int status, std::string body);

// CORS for browser-based clients: any origin, no credentials.
http::Response& AllowAnyOrigin(http::Response& response);
http::Response Preflight(std::string_view methods);

}  // namespace oakgate::handlers::oauth
