#pragma once
// What a management service answers when it does not do what was asked: a small closed set
// of kinds, each rendered by the API as its JSON error (CONTRACT §8) and by the dashboard as
// the form again with the message. The message is written for the client and never carries
// internal detail. An unavailable database is not a DomainError: it travels as
// util::ServiceUnavailable (util/errors.hpp) to the one place in http/ that answers 503, the
// same for every route, so no service or renderer has a 503 of its own.
#include <string>
#include <utility>

#include "gateway/util/result.hpp"

namespace oakgate::manage {

enum class ErrorKind {
  kInvalidInput,   // a field is malformed or missing; `field` names it
  kNotFound,       // no such object, or one the principal does not own (the same answer)
  kForbidden,      // the principal's credential does not allow this
  kConflict,       // the change collides with what exists (a name in use, a revoked key)
  kQuotaExceeded,  // the organization's plan does not allow more (CONTRACT §9)
};

struct DomainError {
  ErrorKind kind;
  std::string message;
  std::string field;  // the input field at fault, when there is one
};

template <typename T>
using Outcome = util::Result<T, DomainError>;

// The value of an operation that answers nothing but success.
struct Done {};

inline util::Failure<DomainError> Invalid(std::string field, std::string message) {
  return util::Fail(DomainError{ErrorKind::kInvalidInput, std::move(message), std::move(field)});
}
inline util::Failure<DomainError> NotFound(std::string message) {
  return util::Fail(DomainError{ErrorKind::kNotFound, std::move(message), ""});
}
inline util::Failure<DomainError> Forbidden(std::string message) {
  return util::Fail(DomainError{ErrorKind::kForbidden, std::move(message), ""});
}
inline util::Failure<DomainError> QuotaExceeded(std::string message) {
  return util::Fail(DomainError{ErrorKind::kQuotaExceeded, std::move(message), ""});
}
inline util::Failure<DomainError> Conflict(std::string message, std::string field = "") {
  return util::Fail(DomainError{ErrorKind::kConflict, std::move(message), std::move(field)});
}

}  // namespace oakgate::manage
