#pragma once
// Our own request type: handlers never see Pistache.
#include <any>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/http/params.hpp"

namespace oakgate::http {

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // the request-target, e.g. "/oauth/authorize?x=1"
  std::string path;    // decoded path component
  std::string raw_query;
  int minor_version = 1;  // HTTP/1.<minor>
  // Header names lower-cased, in arrival order; repeated headers are kept.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The matched route's pattern ("" when none matched): a bounded label for metrics, where the
  // path itself could be anything.
  std::string route;
  std::string client_address;
  std::string request_id;
  // Filled by the router for patterns such as /api/v1/agents/{id}.
  std::vector<std::pair<std::string, std::string>> path_params;
  // What a route's reactor attempt (fast or async) parsed from the body, kept for the route's
  // pool handler when the attempt declines, so the body is parsed once. Empty until then.
  std::any parsed;

  // The single value of a header; nullopt when absent. A header that must not repeat and
  // does is reported by HeaderCount() > 1, so callers can refuse it.
  std::optional<std::string_view> Header(std::string_view lower_name) const;
  size_t HeaderCount(std::string_view lower_name) const;
  std::optional<std::string> PathParam(std::string_view name) const;
  // The media type of Content-Type, lower-cased, without parameters ("" when absent).
  std::string MediaType() const;
  // True when the client accepts JSON in preference to HTML (Accept: application/json).
  bool WantsJson() const;
  std::optional<std::string> Cookie(std::string_view name) const;
};

}  // namespace oakgate::http
