#pragma once
#include "gateway/handlers/web/web_context.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"

namespace oakgate::handlers::web {

// GET /web/login?return_to=PATH
http::Response ShowLogin(const WebContext& ctx, const http::Request& request);
// POST /web/login (email, password, csrf, return_to)
http::Response SubmitLogin(const WebContext& ctx, const http::Request& request);

}  // namespace oakgate::handlers::web
