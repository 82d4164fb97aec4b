#include "gateway/http/route_runner.hpp"

#include "gateway/http/unavailable.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/observe/unexpected.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::http {

RouteRunner::RouteRunner(ErrorRenderer errors) : errors_(std::move(errors)) {}

Attempt RouteRunner::TryOnReactor(const Route& route, Request& request, Reply reply) const {
  if (!route.attempt) return Attempt::Decline();
  try {
    return route.attempt(request, std::move(reply));
  } catch (...) {
    if (!route.worker)
      return Attempt::Answer(Failure(request, std::current_exception(), "handler"));
    // The attempt only ever answers from memory; the worker handler answers as it always would.
    observe::ReportUnexpected("reactor_attempt", std::current_exception(), request.request_id,
                              route.pattern);
    return Attempt::Decline();
  }
}

Response RouteRunner::RunOnWorker(const Route& route, Request& request) const {
  try {
    return route.worker(request);
  } catch (...) {
    return Failure(request, std::current_exception(), "handler");
  }
}

std::optional<Response> RouteRunner::RunParking(const Route& route, Request& request,
                                                Reply reply) const {
  try {
    return route.parking(request, std::move(reply));
  } catch (...) {
    return Failure(request, std::current_exception(), "handler");
  }
}

Response RouteRunner::Failure(const Request& request, const std::exception_ptr& failure,
                              std::string_view where) const {
  try {
    std::rethrow_exception(failure);
  } catch (const util::ServiceUnavailable& e) {
    static observe::Counter& unavailable = observe::Metrics().GetCounter(
        "oakgate_database_unavailable_total",
        "Requests answered 503 because the database could not answer");
    unavailable.Inc();
    observe::Warn(
        "service unavailable",
        {{"request_id", request.request_id}, {"route", request.route}, {"detail", e.what()}});
    const UnavailableRule& rule = RuleFor(Unavailable::kDatabase);
    Response r = errors_(&request, 503, rule.code, rule.description);
    MarkUnavailable(r, Unavailable::kDatabase);
    return r;
  } catch (...) {
    observe::ReportUnexpected(where, failure, request.request_id, request.route);
  }
  return errors_(&request, 500, "server_error", "internal error");
}

Response RouteRunner::Busy(const Request& request) const {
  const UnavailableRule& rule = RuleFor(Unavailable::kBusy);
  Response r = errors_(&request, 503, rule.code, rule.description);
  MarkUnavailable(r, Unavailable::kBusy);
  return r;
}

Response RouteRunner::Error(const Request* request, int status, std::string_view code,
                            std::string_view message) const {
  return errors_(request, status, code, message);
}

}  // namespace oakgate::http
