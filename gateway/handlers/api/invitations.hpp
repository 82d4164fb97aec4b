#pragma once
// /api/v1/orgs/{org}/invitations (CONTRACT §9): {org} is an organization's id or slug; one the
// caller is not a member of is 404, a role that may not do it 403 {"error": "forbidden"}.
#include "gateway/handlers/api/api_common.hpp"

namespace oakgate::handlers::api {

// POST: 201 {"id", "email", "role", "expires_at", "invite_url"}, the token shown this once.
http::Response CreateInvitation(ApiContext& ctx, const Principal& who, http::Request& req);
// GET: {"data": [{"id", "email", "role", "status", "invited_by", "created_at", "expires_at"}]}
http::Response ListInvitations(ApiContext& ctx, const Principal& who, http::Request& req);
// DELETE .../{id}: 204; a pending invitation only.
http::Response RevokeInvitation(ApiContext& ctx, const Principal& who, http::Request& req);

}  // namespace oakgate::handlers::api
