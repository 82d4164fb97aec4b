#pragma once
#include <atomic>

#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/store/database.hpp"

namespace oakgate::handlers::ops {

// GET /healthz: 200 while the process runs (memory only, answered on the reactor thread).
http::Response Healthz(const http::Request& request);
// GET /readyz: 200 when the database answers, migrations are current and the process is not
// draining; otherwise 503.
http::Response Readyz(store::Database& db, const std::atomic<bool>& draining,
                      const http::Request& request);

}  // namespace oakgate::handlers::ops
