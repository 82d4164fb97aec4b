#pragma once
// GET /api/v1/decisions (CONTRACT §6), scope `agents`: the owner's decisions, newest first,
// with keyset pagination on seq.
#include <optional>
#include <string>

#include "gateway/handlers/api/api_common.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::api {

http::Response ListDecisions(ApiContext& ctx, const Principal& who, http::Request& req);

// RFC 3339 date-time ("2026-11-24T22:10:30Z", fractions and offsets allowed) to Unix
// seconds (fractions dropped); nullopt when malformed.
std::optional<int64_t> ParseRfc3339(std::string_view text);

inline constexpr int64_t kDefaultListLimit = 50;
inline constexpr int64_t kMaxListLimit = 200;

// The parameters every keyset-paginated list shares (from, to, limit, cursor), read into a
// query with those members. True when `name` is one of them; `error` is then set when its
// value is bad.
template <typename Query>
bool ReadListParam(const std::string& name, const std::string& value, Query& q,
                   std::optional<http::Response>& error) {
  if (name == "from" || name == "to") {
    auto t = ParseRfc3339(value);
    if (!t) error = BadField(name, name + " must be an RFC 3339 time");
    (name == "from" ? q.from : q.to) = t;
  } else if (name == "limit") {
    auto n = util::ParseInt(value);
    if (!n || *n < 1 || *n > kMaxListLimit) {
      error = BadField(name, "limit must be between 1 and 200");
    } else {
      q.limit = *n;
    }
  } else if (name == "cursor") {
    auto n = util::ParseInt(value);
    if (!n || *n < 1) error = BadField(name, "cursor is not one this server gave");
    if (n) q.before = *n;
  } else {
    return false;
  }
  return true;
}

}  // namespace oakgate::handlers::api
