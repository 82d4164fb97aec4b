#include "gateway/app/process_metrics.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/store/pg/pg_database.hpp"

#ifndef OAKGATE_VERSION
#define OAKGATE_VERSION "unknown"
#endif

namespace oakgate::app {
namespace {

double ResidentBytes() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  int n = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace

const std::string kUnmatched = "unmatched";
const std::string kOther = "other";

void RecordRequestMetrics(const http::Request& request, const http::Response& response,
                          std::chrono::microseconds latency) {
  // Unmatched paths share one label so a scanner cannot grow the series without bound.
  const std::string& route = request.route.empty() ? kUnmatched : request.route;
  const std::string& method = request.route.empty() ? kOther : request.method;
  // Bounded by routes × methods × statuses.
  struct Series {
    observe::Counter* requests;
    observe::Histogram* duration;
  };
  std::string key = route;
  key.push_back('\0');
  key.append(method).push_back('\0');
  key.append(std::to_string(response.status));
  Series series = observe::ResolvedPerThread(key, [&] {
    auto& m = observe::Metrics();
    return Series{
        &m.GetCounter(
            "oakgate_http_requests_total", "HTTP requests by route, method and status",
            {{"route", route}, {"method", method}, {"status", std::to_string(response.status)}}),
        &m.GetHistogram("oakgate_http_request_duration_seconds",
                        "Time from a parsed request to its response, by route",
                        {{"route", route}})};
  });
  series.requests->Inc();
  series.duration->Observe(static_cast<double>(latency.count()) / 1e6);
}

void RegisterProcessMetrics(const http::Server& server) {
  auto& m = observe::Metrics();
  m.AddCallback("oakgate_build_info", "The running build", "gauge", [] { return 1.0; },
                {{"version", OAKGATE_VERSION}});
  m.AddCallback("oakgate_http_in_flight_requests", "Requests being handled now", "gauge",
                [&server] { return static_cast<double>(server.in_flight()); });
  m.AddCallback("oakgate_worker_queue_depth",
                "Requests waiting for a worker (each worker owns one database connection)", "gauge",
                [&server] { return static_cast<double>(server.queue_depth()); });
  m.AddCallback("oakgate_db_connections_open",
                "Database connections open (one per worker thread that used one)", "gauge",
                [] { return static_cast<double>(store::pg::PgDatabase::OpenConnections()); });
  m.AddCallback("oakgate_db_connections_in_use", "Database connections in a call now", "gauge",
                [] { return static_cast<double>(store::pg::PgDatabase::ConnectionsInUse()); });
  m.AddCallback("oakgate_log_lines_dropped_total",
                "Log lines dropped because the log queue was full", "counter",
                [] { return static_cast<double>(observe::DroppedLogLines()); });
  m.AddCallback("oakgate_process_resident_memory_bytes", "Resident set size", "gauge",
                ResidentBytes);
}

}  // namespace oakgate::app
