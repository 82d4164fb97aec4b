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
          {"client_id", OrNull(a.event.client_id)},
          {"actor", OrNull(a.event.actor)},
          {"subject", OrNull(a.event.subject)},
          {"client_address", OrNull(a.event.client_address)},
          {"request_id", OrNull(a.event.request_id)},
          {"details", details}};
}

http::Response ListAuditEvents(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  http::FormError form_error;
  auto params = http::ParseUrlEncoded(req.raw_query, &form_error);
  if (!params) return Error(400, "invalid_request", form_error.description);
  store::AuditQuery q;
  // Always the caller: there is no parameter that names another user.
  q.user_id = who.value().user_id;
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
  int64_t page = q.limit;
  q.limit = page + 1;  // one more tells whether another page follows
  auto rows = ctx.db.Audit().List(q);
  nlohmann::json data = nlohmann::json::array();
  for (size_t i = 0; i < rows.size() && static_cast<int64_t>(i) < page; ++i) {
    data.push_back(AuditEventJson(rows[i]));
  }
  nlohmann::json next = nullptr;
  if (static_cast<int64_t>(rows.size()) > page) next = std::to_string(rows[page - 1].id);
  return Json(200, {{"data", data}, {"next_cursor", next}});
}

}  // namespace oakgate::handlers::api
