#pragma once
// How the server runs a route: its reactor attempt, its worker handler, and the one place where
// a failure becomes an answer. No socket here, so all of it is unit-tested directly.
#include <exception>
#include <functional>
#include <string_view>

#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/http/router.hpp"

namespace oakgate::http {

// Renders an error the HTTP layer itself produces (404, 405, 408, 413, 500, 503, ...). The
// request is null when the bytes did not parse. `code` is a machine-readable error name.
using ErrorRenderer = std::function<Response(const Request* request, int status,
                                             std::string_view code, std::string_view message)>;

class RouteRunner {
 public:
  explicit RouteRunner(ErrorRenderer errors);

  // The route's attempt, on the reactor thread. A route without one declines at once. If the
  // attempt throws, a route with a worker handler declines (the worker answers as it always
  // would) and the exception is reported as unexpected; an inline route answers Failure().
  Attempt TryOnReactor(const Route& route, Request& request, Reply reply) const;
  // The route's worker handler, on a pool thread. Never throws: a failure is answered.
  Response RunOnWorker(const Route& route, Request& request) const;
  // A parking route's handler, on a pool thread: its answer, or nullopt when it parked the
  // request with `reply`. Never throws: a failure is answered.
  std::optional<Response> RunParking(const Route& route, Request& request, Reply reply) const;

  // The one place a failure becomes an answer. util::ServiceUnavailable (the database cannot
  // answer) is the 503 of Unavailable::kDatabase, counted in oakgate_database_unavailable_total
  // and logged with its detail (which the store layer wrote). Anything else is unexpected: a
  // generic 500 `server_error`, counted and logged by observe::ReportUnexpected. The client
  // never sees e.what() (it may carry SQL or connection details).
  Response Failure(const Request& request, const std::exception_ptr& failure,
                   std::string_view where) const;
  // The worker queue is full: the 503 of Unavailable::kBusy.
  Response Busy(const Request& request) const;
  // An error of the HTTP layer itself; `request` is null when the bytes did not parse.
  Response Error(const Request* request, int status, std::string_view code,
                 std::string_view message) const;

 private:
  ErrorRenderer errors_;
};

}  // namespace oakgate::http
