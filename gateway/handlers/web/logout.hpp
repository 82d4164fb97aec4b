#pragma once
#include "gateway/handlers/web/web_context.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"

namespace oakgate::handlers::web {

// The CSRF purpose of forms posted by a signed-in browser; bound to its session cookie.
inline constexpr const char* kSessionFormPurpose = "session";

// GET /: who is signed in, with a sign-out button; the login page when nobody is.
http::Response ShowHome(const WebContext& ctx, const http::Request& request);
// POST /web/logout (csrf): ends the session and clears the cookie.
http::Response SubmitLogout(const WebContext& ctx, const http::Request& request);

}  // namespace oakgate::handlers::web
