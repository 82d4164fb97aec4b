#pragma once
// The dashboard's bar charts (the summary's hours, the usage page's days): allowed stacked
// under denied, scaled to the busiest bar, drawn by the templates as inline SVG (no script).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gateway/render/templates.hpp"

namespace oakgate::handlers::dashboard {

struct ChartBar {
  std::string key;    // what the bar counts (an hour, a date): its data-key and title
  std::string label;  // under the bar; empty for none
  int64_t allowed = 0;
  int64_t denied = 0;
};

// {"bars": [{"key", "allowed", "denied", "x", "w", "allowed_y", "allowed_h", "denied_y",
// "denied_h", "label_y", "label"?}], "chart_max", "chart_total", "chart_base", "chart_width",
// "chart_height"}, every number as text for the template.
nlohmann::json StackedBars(const std::vector<ChartBar>& bars, int bar_width);

// What a chart is of, for its markup and the text a screen reader gives for it.
struct ChartText {
  std::string id;          // the <svg>'s id
  std::string heading_id;  // the heading that names it
  std::string span;        // "in the last 24 hours"
  std::string unit;        // "hour": each bar's data-hour, and "at most N in one hour"
};
// The chart as inline SVG (templates/dashboard_chart.html), for a page's {{{chart}}}.
std::string ChartSvg(const render::Templates& templates, const std::vector<ChartBar>& bars,
                     int bar_width, const ChartText& text);

}  // namespace oakgate::handlers::dashboard
