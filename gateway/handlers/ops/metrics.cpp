#include "gateway/handlers/ops/metrics.hpp"

#include "gateway/observe/metrics.hpp"

namespace oakgate::handlers::ops {

http::Response MetricsPage(const http::Request&) {
  http::Response r = http::Response::Text(200, observe::Metrics().Render());
  r.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  r.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace oakgate::handlers::ops
