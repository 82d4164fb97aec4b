#pragma once
// The one rule for `503 Service Unavailable` (RFC 9110 §15.6.4) and its Retry-After
// (§10.2.3). Two causes, each with its own wait, decided here and nowhere else:
// - kDatabase: PostgreSQL could not answer (util::ServiceUnavailable reached the route
//   boundary, or a decision's batch could not be committed). Retry-After: 2: a restart or a
//   failover takes seconds, and clients retrying at once would only meet it again.
// - kBusy: the worker queue is full. Retry-After: 1: load is shed at once rather than queued,
//   and a queue drains in well under a second.
// Both answers carry `Cache-Control: no-store` and `Pragma: no-cache` (a 503 is about this
// moment only) and the error
// `temporarily_unavailable` (RFC 6749 §4.1.2.1); nothing was decided, issued or revoked.
#include <string_view>

#include "gateway/http/response.hpp"

namespace oakgate::http {

enum class Unavailable { kDatabase, kBusy };

struct UnavailableRule {
  std::string_view code;         // the machine-readable error
  std::string_view description;  // client-facing, never a detail of the failure
  int retry_after_seconds;
};

const UnavailableRule& RuleFor(Unavailable why);

// Puts the rule's headers on a 503 rendered elsewhere (JSON, HTML page, a decision's shape).
void MarkUnavailable(Response& response, Unavailable why);

}  // namespace oakgate::http
