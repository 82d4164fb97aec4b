#include "gateway/observe/unexpected.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <typeinfo>

#include "gateway/observe/log.hpp"

namespace oakgate::observe {

Counter& UnexpectedExceptions(std::string_view where) {
  return Metrics().GetCounter("oakgate_unexpected_exceptions_total",
                              "Exceptions nothing expected, by where they were caught (each is "
                              "also one error line in the log)",
                              {{"where", std::string(where)}});
}

std::string ExceptionType(const std::exception_ptr& failure) {
  if (!failure) return "none";
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(
        abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status), std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(typeid(e).name());
  } catch (...) {
    return "unknown";
  }
}

void ReportUnexpected(std::string_view where, const std::exception_ptr& failure,
                      std::string_view request_id, std::string_view route) {
  UnexpectedExceptions(where).Inc();
  Error("unexpected exception", {{"where", std::string(where)},
                                 {"type", ExceptionType(failure)},
                                 {"request_id", std::string(request_id)},
                                 {"route", std::string(route)}});
}

}  // namespace oakgate::observe
