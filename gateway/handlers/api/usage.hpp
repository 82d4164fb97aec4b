#pragma once
// GET /api/v1/usage?month=YYYY-MM (CONTRACT §9), scope `agents`: the organization's usage of
// a month (default: this one), from the usage counters.
#include "gateway/handlers/api/api_common.hpp"

namespace oakgate::handlers::api {

http::Response GetUsage(ApiContext& ctx, const Principal& who, http::Request& req);

}  // namespace oakgate::handlers::api
