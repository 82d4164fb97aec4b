#include "gateway/handlers/api/decisions.hpp"

#include <ctime>

#include "gateway/http/form.hpp"
#include "gateway/policy/rules.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::api {
namespace {

std::optional<int> Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

nlohmann::json OrNull(const std::optional<std::string>& s) {
  return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}

nlohmann::json DecisionJson(const store::DecisionRecord& d) {
  nlohmann::json context = nullptr;
  if (d.context_json) context = nlohmann::json::parse(*d.context_json, nullptr, false);
  if (context.is_discarded()) context = nullptr;
  return {{"id", d.id},
          {"org_id", d.org_id},
          {"agent_id", d.agent_id},
          {"key_id", d.key_id},
          {"tool", d.tool},
          {"scope", d.scope},
          {"allowed", d.allowed},
          {"reason", OrNull(d.reason)},
          {"rule_id", OrNull(d.rule_id)},
          {"reasoning", OrNull(d.reasoning)},
          {"reasoning_required", d.reasoning_required},
          {"reasoning_provided", d.reasoning_provided},
          {"context", context},
          {"request_id", d.request_id},
          {"approval_id", OrNull(d.approval_id)},
          {"created_at", TimeOrNull(d.created_at)}};
}

}  // namespace

std::optional<int64_t> ParseRfc3339(std::string_view s) {
  // RFC 3339 §5.6: full-date "T" full-time; "t", "z" and a space separator are allowed too.
  auto year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  auto hour = Digits(s, 11, 2), minute = Digits(s, 14, 2), second = Digits(s, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || s[4] != '-' || s[7] != '-' ||
      !(s[10] == 'T' || s[10] == 't' || s[10] == ' ') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
      *second > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    auto oh = Digits(s, pos + 1, 2), om = Digits(s, pos + 4, 2);
    if (!oh || !om || pos + 3 >= s.size() || s[pos + 3] != ':' || *oh > 23 || *om > 59) {
      return std::nullopt;
    }
    offset = (s[pos] == '+' ? 1 : -1) * (*oh * 3600 + *om * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = std::min(*second, 59);
  return static_cast<int64_t>(timegm(&tm)) - offset;
}

http::Response ListDecisions(ApiContext& ctx, const Principal& who, http::Request& req) {
  http::FormError form_error;
  auto params = http::ParseUrlEncoded(req.raw_query, &form_error);
  if (!params) return Error(400, "invalid_request", form_error.description);
  store::DecisionQuery q;
  q.limit = kDefaultListLimit;
  for (const auto& [name, value] : params->items()) {
    if (params->Count(name) > 1) return BadField(name, name + " is repeated");
    if (name == "agent_id") {
      q.agent_id = value;
    } else if (name == "tool" || name == "scope") {
      if (!policy::IsValidName(value)) {
        return BadField(name, name + " must match [A-Za-z0-9._-]{1,200}");
      }
      (name == "tool" ? q.tool : q.scope) = value;
    } else if (name == "allowed") {
      if (value != "true" && value != "false")
        return BadField(name, "allowed must be true or false");
      q.allowed = value == "true";
    } else if (std::optional<http::Response> bad; ReadListParam(name, value, q, bad)) {
      if (bad) return *bad;
    } else {
      return BadField(name, "unknown parameter \"" + name + "\"");
    }
  }
  return Answer(ctx.activity.Decisions(who, q), 200, [](const auto& page) {
    nlohmann::json data = nlohmann::json::array();
    for (const auto& d : page.rows) data.push_back(DecisionJson(d));
    return nlohmann::json{{"data", data}, {"next_cursor", CursorOrNull(page.next_cursor)}};
  });
}

}  // namespace oakgate::handlers::api
