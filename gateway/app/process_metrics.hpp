#pragma once
// The metrics the composition root owns: per-request counts and latencies, and values read
// from the server and the process at scrape time.
#include <chrono>

#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/http/server.hpp"

namespace oakgate::app {

void RecordRequestMetrics(const http::Request& request, const http::Response& response,
                          std::chrono::microseconds latency);
// `server` must outlive every scrape: call once, after Start.
void RegisterProcessMetrics(const http::Server& server);

}  // namespace oakgate::app
