#pragma once
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"

namespace oakgate::handlers::ops {

// GET /metrics: Prometheus text format (memory only, answered on the reactor thread). Nginx
// keeps it off the public side.
http::Response MetricsPage(const http::Request& request);

}  // namespace oakgate::handlers::ops
