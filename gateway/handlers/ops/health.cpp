#include "gateway/handlers/ops/health.hpp"

namespace oakgate::handlers::ops {

http::Response Healthz(const http::Request&) {
  http::Response r = http::Response::Json(200, R"({"status":"ok"})");
  r.Set("Cache-Control", "no-store");
  return r;
}

http::Response Readyz(store::Database& db, const std::atomic<bool>& draining,
                      const http::Request&) {
  const char* status = "ready";
  if (draining.load()) {
    status = "draining";
  } else if (!db.Ready()) {
    status = "database_unavailable";
  }
  bool ready = std::string_view(status) == "ready";
  http::Response r =
      http::Response::Json(ready ? 200 : 503, std::string(R"({"status":")") + status + "\"}");
  r.Set("Cache-Control", "no-store");
  if (!ready) r.Set("Retry-After", "1");
  return r;
}

}  // namespace oakgate::handlers::ops
