// GET /dashboard/usage[?month=YYYY-MM]: the organization's month (CONTRACT §9) from the usage
// counters, as GET /api/v1/usage gives it: totals by outcome, the plan's limits and how much
// of them is used, per-agent counts, and decisions per day as inline SVG. Every member reads it.
#include <algorithm>
#include <cstdio>

#include "gateway/handlers/dashboard/chart.hpp"
#include "gateway/handlers/dashboard/pages.hpp"
#include "gateway/http/form.hpp"

namespace oakgate::handlers::dashboard {
namespace {

constexpr int kDayWidth = 14;

// The month before or after "YYYY-MM" (a valid one, as the service answered it).
std::string Step(const std::string& month, int by) {
  int y = std::stoi(month.substr(0, 4)), m = std::stoi(month.substr(5, 2)) - 1 + by;
  y += m < 0 ? -1 : m / 12;
  m = (m % 12 + 12) % 12;
  char out[8];
  std::snprintf(out, sizeof out, "%04d-%02d", y, m + 1);
  return out;
}

std::string Limit(const std::optional<int64_t>& limit, int64_t used) {
  if (!limit) return std::to_string(used) + " (no limit)";
  std::string text = std::to_string(used) + " of " + std::to_string(*limit);
  if (*limit > 0) text += " (" + std::to_string(used * 100 / *limit) + "%)";
  return text;
}

}  // namespace

http::Response ShowUsage(DashboardContext& ctx, http::Request& req) {
  auto visitor = RequireVisitor(ctx, req);
  if (!visitor) return visitor.error();
  const Visitor& v = visitor.value();
  http::FormError form_error;
  auto query = http::ParseUrlEncoded(req.raw_query, &form_error);
  if (!query) return BadRequestPage(ctx, form_error.description);
  manage::Principal who = Who(v, req);
  auto usage = ctx.usage.Month(who, query->Get("month"));
  if (!usage) {
    if (usage.error().kind == manage::ErrorKind::kInvalidInput) {
      return BadRequestPage(ctx, usage.error().message);
    }
    return NotFoundPage(ctx);
  }
  const manage::Usage& u = usage.value();

  std::map<std::string, std::string> names;
  auto agents = ctx.agents.List(who);
  for (const auto& a : agents ? agents.value() : std::vector<store::Agent>{}) names[a.id] = a.name;
  std::vector<store::AgentUsage> by_agent = u.counters.agents;
  std::stable_sort(by_agent.begin(), by_agent.end(), [](const auto& a, const auto& b) {
    return a.allowed + a.denied + a.rate_limited > b.allowed + b.denied + b.rate_limited;
  });
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& a : by_agent) {
    auto name = names.find(a.agent_id);
    rows.push_back({{"agent_id", a.agent_id},
                    {"name", name == names.end() ? "(deleted agent)" : name->second},
                    {"known", name != names.end()},
                    {"allowed", a.allowed},
                    {"denied", a.denied},
                    {"rate_limited", a.rate_limited},
                    {"quota_exceeded", a.quota_exceeded}});
  }

  std::vector<ChartBar> days;
  for (const auto& d : u.counters.days) {
    int day = std::stoi(d.date.substr(8, 2));
    // Labelled on the 1st and every fifth day, so the labels do not overlap.
    days.push_back(
        {d.date, day == 1 || day % 5 == 0 ? d.date.substr(8, 2) : "", d.allowed, d.denied});
  }
  nlohmann::json view = {{"chart", ChartSvg(ctx.web.templates, days, kDayWidth,
                                            {"daily-chart", "daily-h", "in " + u.month, "date"})}};
  // CONTRACT §9: the monthly limit counts the decisions recorded (allowed and denied).
  int64_t recorded = u.totals.allowed + u.totals.denied;
  view.update(
      {{"month", u.month},
       {"previous_month", Step(u.month, -1)},
       {"next_month", Step(u.month, 1)},
       {"allowed", u.totals.allowed},
       {"denied", u.totals.denied},
       {"rate_limited", u.totals.rate_limited},
       {"quota_exceeded", u.totals.quota_exceeded},
       {"decisions_limit", Limit(u.counters.limits.monthly_decisions, recorded)},
       {"agents_limit", Limit(u.counters.limits.max_agents, static_cast<int64_t>(names.size()))},
       {"agents", rows},
       {"has_agents", !rows.empty()}});
  return Page(ctx, v, 200, "Usage " + u.month, "usage", "dashboard_usage.html", view);
}

}  // namespace oakgate::handlers::dashboard
