#pragma once
// People deciding approvals (CONTRACT §10), scope `agents`:
//   GET  /api/v1/approvals?status=&agent_id=&limit=&cursor=   newest first, keyset pages
//   GET  /api/v1/approvals/{approval_id}
//   POST /api/v1/approvals/{approval_id}/approve   {"comment"?}  owners and admins
//   POST /api/v1/approvals/{approval_id}/deny      {"comment"?}  owners and admins
#include "gateway/handlers/api/api_common.hpp"

namespace oakgate::handlers::api {

// An approval as people see it (the API and the dashboard's inbox).
nlohmann::json ApprovalJson(const store::Approval& a);

http::Response ListApprovals(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response GetApproval(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response ApproveApproval(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response DenyApproval(ApiContext& ctx, const Principal& who, http::Request& req);

}  // namespace oakgate::handlers::api
