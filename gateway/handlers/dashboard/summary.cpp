// GET /dashboard: today's and this week's decisions (allowed, denied by reason, rate
// limited), the busiest agents, and decisions per hour over the last 24 hours as inline SVG.
#include "gateway/handlers/dashboard/chart.hpp"
#include "gateway/handlers/dashboard/pages.hpp"

namespace oakgate::handlers::dashboard {
namespace {

constexpr int kBars = 24;
constexpr int kBarWidth = 22;

std::string Chart(const render::Templates& templates, const store::DecisionSummary& s) {
  std::map<int64_t, store::HourBucket> by_hour;
  for (const auto& h : s.hours) by_hour[h.hour] = h;
  std::vector<ChartBar> bars;
  for (int i = 0; i < kBars; ++i) {
    int64_t hour = s.now_hour - static_cast<int64_t>(kBars - 1 - i) * 3600;
    auto it = by_hour.find(hour);
    ChartBar bar{Time(hour), i % 3 == 0 ? Time(hour).substr(11, 2) : ""};
    if (it != by_hour.end()) {
      bar.allowed = it->second.allowed;
      bar.denied = it->second.denied;
    }
    bars.push_back(std::move(bar));
  }
  return ChartSvg(templates, bars, kBarWidth,
                  {"hourly-chart", "chart-h", "in the last 24 hours", "hour"});
}

}  // namespace

http::Response ShowSummary(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  auto summary = ctx.activity.Summary(Who(v.value(), req));
  if (!summary) return NotFoundPage(ctx);
  const store::DecisionSummary& s = summary.value();
  int64_t today_allowed = 0, today_denied = 0, week_allowed = 0, week_denied = 0;
  nlohmann::json today_reasons = nlohmann::json::array(), week_reasons = nlohmann::json::array();
  for (const auto& c : s.counts) {
    if (c.allowed) {
      today_allowed += c.today;
      week_allowed += c.week;
      continue;
    }
    today_denied += c.today;
    week_denied += c.week;
    if (c.today > 0) today_reasons.push_back({{"reason", c.reason}, {"count", c.today}});
    week_reasons.push_back({{"reason", c.reason}, {"count", c.week}});
  }
  nlohmann::json busiest = nlohmann::json::array();
  for (const auto& a : s.busiest) {
    busiest.push_back({{"agent_id", a.agent_id}, {"name", a.name}, {"count", a.week}});
  }
  nlohmann::json view = {{"chart", Chart(ctx.web.templates, s)}};
  view.update({{"today_allowed", today_allowed},
               {"today_denied", today_denied},
               {"today_limited", s.rate_limited_today},
               {"week_allowed", week_allowed},
               {"week_denied", week_denied},
               {"week_limited", s.rate_limited_week},
               {"today_reasons", today_reasons},
               {"week_reasons", week_reasons},
               {"busiest", busiest},
               {"has_busiest", !busiest.empty()}});
  return Page(ctx, v.value(), 200, "Summary", "summary", "dashboard_summary.html", view);
}

}  // namespace oakgate::handlers::dashboard
