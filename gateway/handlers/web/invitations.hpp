#pragma once
#include "gateway/handlers/web/web_context.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"

namespace oakgate::handlers::web {

// GET /web/invitations/{token}: the organization and role; a signed-in user whose email
// matches may accept; a signed-out visitor is sent to sign-up (where allowed) or login, and
// back here afterwards (CONTRACT §9).
http::Response ShowInvitation(const WebContext& ctx, const http::Request& request);
// POST /web/invitations/{token} (csrf): accepts, then 303 to the dashboard.
http::Response AcceptInvitation(const WebContext& ctx, const http::Request& request);

}  // namespace oakgate::handlers::web
