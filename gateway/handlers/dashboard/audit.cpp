// /dashboard/audit: the user's own audit events, newest first, paged like the API
// (GET /api/v1/audit-events) on the same store query.
#include "gateway/handlers/api/audit_events.hpp"
#include "gateway/handlers/dashboard/pages.hpp"
#include "gateway/http/form.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::dashboard {

http::Response ShowAudit(DashboardContext& ctx, http::Request& req) {
  constexpr int64_t kPage = 50;
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  http::FormError error;
  auto params = http::ParseUrlEncoded(req.raw_query, &error);
  if (!params) return BadRequestPage(ctx, error.description);
  store::AuditQuery q;
  q.limit = kPage;
  if (auto cursor = params->Get("cursor")) {
    auto n = util::ParseInt(*cursor);
    if (!n || *n < 1) return BadRequestPage(ctx, "This page link is not one this server gave.");
    q.before = *n;
  }
  auto page = ctx.activity.AuditEvents(Who(v.value(), req), q);
  if (!page) return BadRequestPage(ctx, page.error().message);
  nlohmann::json events = nlohmann::json::array();
  for (const auto& a : page.value().rows) {
    events.push_back({{"id", std::to_string(a.id)},
                      {"created_at", Time(a.created_at)},
                      {"type", a.event.type},
                      {"actor", a.event.actor},
                      {"subject", a.event.subject},
                      {"client_address", a.event.client_address},
                      {"details", a.event.details_json}});
  }
  nlohmann::json view = {{"events", events}, {"has_events", !events.empty()}};
  if (auto cursor = page.value().next_cursor) {
    view["next_page"] = "?cursor=" + std::to_string(*cursor);
  }
  return Page(ctx, v.value(), 200, "Audit events", "audit", "dashboard_audit.html", view);
}

}  // namespace oakgate::handlers::dashboard
