#pragma once
#include "gateway/handlers/web/web_context.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"

namespace oakgate::handlers::web {

// GET /web/signup?invitation=TOKEN&return_to=PATH (CONTRACT §9)
http::Response ShowSignup(const WebContext& ctx, const http::Request& request);
// POST /web/signup (email, password, csrf, invitation, return_to): the same 303 to the login
// page for a new email and a registered one.
http::Response SubmitSignup(const WebContext& ctx, const http::Request& request);

// The one page of an invitation that was used, revoked or has expired (or never existed):
// 410, saying none of which.
http::Response InvitationGonePage(const WebContext& ctx);

}  // namespace oakgate::handlers::web
