#include "gateway/http/unavailable.hpp"

#include <string>

namespace oakgate::http {

const UnavailableRule& RuleFor(Unavailable why) {
  static const UnavailableRule kDatabase{"temporarily_unavailable",
                                         "the service is temporarily unavailable", 2};
  static const UnavailableRule kBusy{"temporarily_unavailable", "the server is busy", 1};
  return why == Unavailable::kDatabase ? kDatabase : kBusy;
}

void MarkUnavailable(Response& response, Unavailable why) {
  response.status = 503;
  response.Set("Retry-After", std::to_string(RuleFor(why).retry_after_seconds));
  response.Set("Cache-Control", "no-store");
  response.Set("Pragma", "no-cache");  // for HTTP/1.0 caches, as on the token endpoint's answers
}

}  // namespace oakgate::http
