#include "gateway/handlers/api/audit_events.hpp"

#include "gateway/handlers/api/decisions.hpp"
#include "gateway/http/form.hpp"
#include "gateway/policy/rules.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::api {
namespace {

nlohmann::json OrNull(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

}  // namespace

bool IsValidAuditType(std::string_view type) { return policy::IsValidName(type); }

nlohmann::json AuditEventJson(const store::AuditRecord& a) {
  nlohmann::json details = nlohmann::json::parse(a.event.details_json, nullptr, false);
  if (details.is_discarded()) details = nlohmann::json::object();
  return {{"id", std::to_string(a.id)},
          {"type", a.event.type},
          {"created_at", TimeOrNull(a.created_at)},
          {"user_id", OrNull(a.event.user_id)},
          {"org_id", OrNull(a.event.org_id)},
          {"client_id", OrNull(a.event.client_id)},
          {"actor", OrNull(a.event.actor)},
          {"subject", OrNull(a.event.subject)},
          {"client_address", OrNull(a.event.client_address)},
          {"request_id", OrNull(a.event.request_id)},
          {"details", details}};
}

http::Response ListAuditEvents(ApiContext& ctx, const Principal& who, http::Request& req) {
  http::FormError form_error;
  auto params = http::ParseUrlEncoded(req.raw_query, &form_error);
  if (!params) return Error(400, "invalid_request", form_error.description);
  // Always the caller's (the service sets the user): no parameter names another user.
  store::AuditQuery q;
  q.limit = kDefaultListLimit;
  for (const auto& [name, value] : params->items()) {
    if (params->Count(name) > 1) return BadField(name, name + " is repeated");
    if (name == "type") {
      if (!IsValidAuditType(value)) return BadField(name, "type must match [A-Za-z0-9._-]{1,200}");
      q.type = value;
    } else if (std::optional<http::Response> bad; ReadListParam(name, value, q, bad)) {
      if (bad) return *bad;
    } else {
      return BadField(name, "unknown parameter \"" + name + "\"");
    }
  }
  return Answer(ctx.activity.AuditEvents(who, q), 200, [](const auto& page) {
    nlohmann::json data = nlohmann::json::array();
    for (const auto& a : page.rows) data.push_back(AuditEventJson(a));
    return nlohmann::json{{"data", data}, {"next_cursor", CursorOrNull(page.next_cursor)}};
  });
}

}  // namespace oakgate::handlers::api
