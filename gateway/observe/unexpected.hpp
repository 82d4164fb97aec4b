#pragma once
// Exceptions nothing expected: a bug, or a library failing in a way no caller handles. Each is
// one error line and one count in oakgate_unexpected_exceptions_total{where}, so a rate above
// zero can be alerted on. Expected failures (util::ServiceUnavailable: the database cannot
// answer) have their own metric and never come here.
#include <exception>
#include <string>
#include <string_view>

#include "gateway/observe/metrics.hpp"

namespace oakgate::observe {

// The series for `where` (a small fixed set: "handler", "reactor_attempt", "worker", "reply",
// "transport", "pruner"); calling it once at start-up makes the series show 0 until the first.
Counter& UnexpectedExceptions(std::string_view where);

// Counts the exception and logs one line: `where`, the exception's type, and the request id and
// route pattern when there is a request. Never its message: what() can quote request bytes (a
// JSON parse error quotes the body it stopped in), and nothing here can tell that it is clean.
void ReportUnexpected(std::string_view where, const std::exception_ptr& failure,
                      std::string_view request_id = {}, std::string_view route = {});

// The type of what `failure` holds ("std::runtime_error"), "unknown" for a non-exception.
std::string ExceptionType(const std::exception_ptr& failure);

}  // namespace oakgate::observe
