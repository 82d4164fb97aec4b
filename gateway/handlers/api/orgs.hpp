#pragma once
// /api/v1/orgs: organizations and their members (CONTRACT §9), scope `agents`. The {org} path
// parameter is an id or a slug; an organization the caller is not a member of is 404.
#include "gateway/handlers/api/api_common.hpp"

namespace oakgate::handlers::api {

nlohmann::json OrgJson(const store::Organization& o);

http::Response ListOrgs(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response CreateOrg(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response GetOrg(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response PatchOrg(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response DeleteOrg(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response ListMembers(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response PatchMember(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response RemoveMember(ApiContext& ctx, const Principal& who, http::Request& req);

}  // namespace oakgate::handlers::api
