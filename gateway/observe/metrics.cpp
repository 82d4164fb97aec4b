#include "gateway/observe/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace oakgate::observe {
namespace {

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  // The shortest text that reads back as the same double ("0.0005", not 0.00050000000000000001).
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    bool plain = std::strchr(buf, 'e') == nullptr || std::fabs(v) < 1e-6 || std::fabs(v) >= 1e15;
    if (plain && std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// Labels plus one more (for histogram buckets): `{a="1",le="0.5"}`.
std::string WithLabel(const std::string& rendered, const std::string& name,
                      const std::string& value) {
  std::string extra = name + "=\"" + value + "\"";
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

const std::vector<double>& Histogram::LatencyBounds() {
  // 0.25 ms and 2 ms are there for the hot paths: a cache hit takes tens of microseconds, and
  // introspection's latency target is 2 ms.
  static const std::vector<double> bounds = {0.00025, 0.0005, 0.001, 0.002, 0.0025, 0.005,
                                             0.01,    0.025,  0.05,  0.1,   0.25,   0.5,
                                             1,       2.5,    5,     10};
  return bounds;
}

const std::vector<double>& Histogram::SizeBounds() {
  static const std::vector<double> bounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
  return bounds;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(value > 0 ? value * 1e6 : 0),
                        std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::Cumulative() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double Histogram::sum() const { return sum_micros_.load(std::memory_order_relaxed) / 1e6; }

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"";
    for (char c : labels[i].second) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '"') {
        out += "\\\"";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += "\"";
  }
  return out + "}";
}

Registry::Family& Registry::FamilyFor(std::string_view name, std::string_view help,
                                      std::string_view type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{}).first;
    it->second.help = std::string(help);
    it->second.type = std::string(type);
  }
  return it->second;
}

Counter& Registry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::string key = RenderLabels(labels);
  {
    std::shared_lock lock(mutex_);
    auto f = families_.find(name);
    if (f != families_.end()) {
      auto c = f->second.counters.find(key);
      if (c != f->second.counters.end()) return *c->second;
    }
  }
  std::unique_lock lock(mutex_);
  auto& slot = FamilyFor(name, help, "counter").counters[key];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help,
                                  const Labels& labels, const std::vector<double>& bounds) {
  std::string key = RenderLabels(labels);
  {
    std::shared_lock lock(mutex_);
    auto f = families_.find(name);
    if (f != families_.end()) {
      auto h = f->second.histograms.find(key);
      if (h != f->second.histograms.end()) return *h->second;
    }
  }
  std::unique_lock lock(mutex_);
  auto& slot = FamilyFor(name, help, "histogram").histograms[key];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

void Registry::AddCallback(std::string_view name, std::string_view help, std::string_view type,
                           std::function<double()> read, const Labels& labels) {
  std::unique_lock lock(mutex_);
  FamilyFor(name, help, type).callbacks[RenderLabels(labels)] = std::move(read);
}

std::string Registry::Render() const {
  std::shared_lock lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, c] : f.counters) {
      out += name + labels + " " + std::to_string(c->value()) + "\n";
    }
    for (const auto& [labels, read] : f.callbacks) {
      out += name + labels + " " + Number(read()) + "\n";
    }
    for (const auto& [labels, h] : f.histograms) {
      auto counts = h->Cumulative();
      for (size_t i = 0; i < h->bounds().size(); ++i) {
        out += name + "_bucket" + WithLabel(labels, "le", Number(h->bounds()[i])) + " " +
               std::to_string(counts[i]) + "\n";
      }
      out += name + "_bucket" + WithLabel(labels, "le", "+Inf") + " " +
             std::to_string(counts.back()) + "\n";
      out += name + "_sum" + labels + " " + Number(h->sum()) + "\n";
      out += name + "_count" + labels + " " + std::to_string(counts.back()) + "\n";
    }
  }
  return out;
}

Registry& Metrics() {
  static Registry* registry = new Registry();  // never destroyed: threads may outlive main
  return *registry;
}

}  // namespace oakgate::observe
