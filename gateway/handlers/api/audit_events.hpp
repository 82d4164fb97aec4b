#pragma once
// GET /api/v1/audit-events (issue 6), scope `agents`: the caller's own audit events, newest
// first, with keyset pagination on id like /api/v1/decisions.
#include "gateway/handlers/api/api_common.hpp"
#include "gateway/store/audit_store.hpp"

namespace oakgate::handlers::api {

http::Response ListAuditEvents(ApiContext& ctx, const Principal& who, http::Request& req);

// One event as the API answers it; `oakgate audit list` prints the same object.
nlohmann::json AuditEventJson(const store::AuditRecord& record);

// An event type as the gateway writes them ("api_key.created"): [A-Za-z0-9._-]{1,200}.
bool IsValidAuditType(std::string_view type);

}  // namespace oakgate::handlers::api
