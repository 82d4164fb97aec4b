#include "gateway/handlers/dashboard/chart.hpp"

#include <algorithm>

namespace oakgate::handlers::dashboard {
namespace {

constexpr int kLeft = 30;
constexpr int kGap = 4;
constexpr int kTop = 10;
constexpr int kPlotHeight = 140;

}  // namespace

nlohmann::json StackedBars(const std::vector<ChartBar>& bars, int bar_width) {
  int64_t max = 0, total = 0;
  for (const auto& b : bars) {
    max = std::max(max, b.allowed + b.denied);
    total += b.allowed + b.denied;
  }
  // Scaled to the busiest bar; a non-empty one is at least one pixel tall.
  auto scale = [max](int64_t n) -> int {
    if (n == 0 || max == 0) return 0;
    return std::max<int>(1, static_cast<int>(n * kPlotHeight / max));
  };
  int base = kTop + kPlotHeight;
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < bars.size(); ++i) {
    const ChartBar& b = bars[i];
    int ah = scale(b.allowed), dh = scale(b.denied);
    int x = kLeft + static_cast<int>(i) * (bar_width + kGap);
    nlohmann::json bar = {{"key", b.key},
                          {"allowed", std::to_string(b.allowed)},
                          {"denied", std::to_string(b.denied)},
                          {"x", std::to_string(x)},
                          {"w", std::to_string(bar_width)},
                          {"allowed_y", std::to_string(base - ah)},
                          {"allowed_h", std::to_string(ah)},
                          {"denied_y", std::to_string(base - ah - dh)},
                          {"denied_h", std::to_string(dh)},
                          {"label_y", std::to_string(base + 14)}};
    if (!b.label.empty()) bar["label"] = b.label;
    out.push_back(bar);
  }
  int width = kLeft + static_cast<int>(bars.size()) * (bar_width + kGap);
  return {{"bars", out},
          {"chart_max", std::to_string(max)},
          {"chart_total", std::to_string(total)},
          {"chart_base", std::to_string(base)},
          {"chart_width", std::to_string(width)},
          {"chart_height", std::to_string(base + 20)}};
}

std::string ChartSvg(const render::Templates& templates, const std::vector<ChartBar>& bars,
                     int bar_width, const ChartText& text) {
  nlohmann::json view = StackedBars(bars, bar_width);
  view.update({{"chart_id", text.id},
               {"heading_id", text.heading_id},
               {"span", text.span},
               {"unit", text.unit}});
  return templates.Render("dashboard_chart.html", view);
}

}  // namespace oakgate::handlers::dashboard
