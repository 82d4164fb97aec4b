#pragma once
// The dashboard's bar charts (the summary's hours, the usage page's days): allowed stacked
// under denied, scaled to the busiest bar, drawn by the templates as inline SVG (no script).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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

}  // namespace oakgate::handlers::dashboard
