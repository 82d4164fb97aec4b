#pragma once
// Failed credential lookups per client address (security.md G9, G10): scanning
// /oauth/introspect, /oauth/revoke or /v1/validate with made-up tokens or keys. Only failures
// are counted, so a valid credential never spends anything; once an address has failed too
// often, every lookup from it is refused with 429 until its allowance refills, since answering
// a lucky guess would tell the scanner what the throttle is meant to hide. The interface lives
// here so that the OAuth services and the validator share one counter; the implementation
// (policy::SharedLookupThrottle) keeps it in memory with a floor shared through PostgreSQL.
#include <cstdint>
#include <string>

#include "gateway/oauth/errors.hpp"

namespace oakgate::oauth {

class LookupThrottle {
 public:
  virtual ~LookupThrottle() = default;
  // Memory only, for the reactor thread too: the seconds to wait when `address` is over its
  // limit, else 0. Costs one atomic load while no address is over.
  virtual int64_t Blocked(const std::string& address) = 0;
  // After a lookup from `address` found nothing (a worker; may run one statement): counts it
  // and answers the seconds to wait when this failure went over the limit, else 0. Throws
  // util::ServiceUnavailable when the failure cannot be counted.
  virtual int64_t Failed(const std::string& address) = 0;
};

// The answer of /oauth/introspect and /oauth/revoke to an address over its limit: 429 with
// Retry-After, as the client-authentication throttle answers.
inline OAuthError TooManyLookups(int64_t retry_after) {
  OAuthError e = MakeError(ErrorCode::kTooManyRequests,
                           "too many lookups of unknown tokens from this address; try again later");
  e.retry_after = retry_after;
  return e;
}

}  // namespace oakgate::oauth
