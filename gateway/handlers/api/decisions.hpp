#pragma once
// GET /api/v1/decisions (CONTRACT §6), scope `agents`: the owner's decisions, newest first,
// with keyset pagination on seq.
#include "gateway/handlers/api/api_common.hpp"

namespace oakgate::handlers::api {

http::Response ListDecisions(ApiContext& ctx, http::Request& req);

// RFC 3339 date-time ("2026-11-24T22:10:30Z", fractions and offsets allowed) to Unix
// seconds (fractions dropped); nullopt when malformed.
std::optional<int64_t> ParseRfc3339(std::string_view text);

}  // namespace oakgate::handlers::api
