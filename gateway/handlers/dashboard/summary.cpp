// GET /dashboard: today's and this week's decisions (allowed, denied by reason, rate
// limited), the busiest agents, and decisions per hour over the last 24 hours as inline SVG.
#include <algorithm>

#include "gateway/handlers/dashboard/pages.hpp"

namespace oakgate::handlers::dashboard {
namespace {

constexpr int kBars = 24;
constexpr int kLeft = 30;
constexpr int kBarWidth = 22;
constexpr int kGap = 4;
constexpr int kTop = 10;
constexpr int kPlotHeight = 140;

nlohmann::json Chart(const store::DecisionSummary& s) {
  std::map<int64_t, store::HourBucket> by_hour;
  for (const auto& h : s.hours) by_hour[h.hour] = h;
  int64_t max = 0, total = 0;
  for (const auto& h : s.hours) {
    max = std::max(max, h.allowed + h.denied);
    total += h.allowed + h.denied;
  }
  int base = kTop + kPlotHeight;
  nlohmann::json bars = nlohmann::json::array();
  for (int i = 0; i < kBars; ++i) {
    int64_t hour = s.now_hour - static_cast<int64_t>(kBars - 1 - i) * 3600;
    auto it = by_hour.find(hour);
    int64_t allowed = it == by_hour.end() ? 0 : it->second.allowed;
    int64_t denied = it == by_hour.end() ? 0 : it->second.denied;
    // Scaled to the busiest hour; a non-empty hour is at least one pixel tall.
    auto scale = [&](int64_t n) -> int {
      if (n == 0 || max == 0) return 0;
      return std::max<int>(1, static_cast<int>(n * kPlotHeight / max));
    };
    int ah = scale(allowed), dh = scale(denied);
    int x = kLeft + i * (kBarWidth + kGap);
    std::string label = Time(hour).substr(11, 2);
    nlohmann::json bar = {{"hour", Time(hour)},
                          {"allowed", std::to_string(allowed)},
                          {"denied", std::to_string(denied)},
                          {"x", std::to_string(x)},
                          {"w", std::to_string(kBarWidth)},
                          {"allowed_y", std::to_string(base - ah)},
                          {"allowed_h", std::to_string(ah)},
                          {"denied_y", std::to_string(base - ah - dh)},
                          {"denied_h", std::to_string(dh)},
                          {"label_y", std::to_string(base + 14)}};
    if (i % 3 == 0) bar["label"] = label;
    bars.push_back(bar);
  }
  return {{"bars", bars},
          {"chart_max", std::to_string(max)},
          {"chart_total", std::to_string(total)},
          {"chart_base", std::to_string(base)},
          {"chart_width", std::to_string(kLeft + kBars * (kBarWidth + kGap))},
          {"chart_height", std::to_string(base + 20)}};
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
  nlohmann::json view = Chart(s);
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
