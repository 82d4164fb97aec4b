#pragma once
// A small Prometheus registry (text exposition format 0.0.4). No C++ client is packaged for
// Debian, and the gateway needs only counters, gauges read at scrape time and fixed-bucket
// histograms. Series are created on first use and never removed, so label values must come
// from small fixed sets (route patterns, status codes, reasons), never from request data.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace oakgate::observe {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Histogram {
 public:
  // Upper bounds in seconds: 0.5 ms to 10 s, for request and commit latencies.
  static const std::vector<double>& LatencyBounds();
  // Upper bounds for counts (batch sizes): 1 to 1024.
  static const std::vector<double>& SizeBounds();

  explicit Histogram(std::vector<double> bounds = LatencyBounds());
  void Observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative count per bound, then the +Inf count.
  std::vector<uint64_t> Cumulative() const;
  double sum() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<uint64_t> sum_micros_{0};               // the sum in millionths, for atomicity
};

class Registry {
 public:
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  // `bounds` applies when the series is created (all series of a family should share them).
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels = {},
                          const std::vector<double>& bounds = Histogram::LatencyBounds());
  // A value read when scraped: `type` is "gauge" or "counter".
  void AddCallback(std::string_view name, std::string_view help, std::string_view type,
                   std::function<double()> read, const Labels& labels = {});
  std::string Render() const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // key: rendered labels
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::map<std::string, std::function<double()>> callbacks;
  };
  Family& FamilyFor(std::string_view name, std::string_view help, std::string_view type);
  mutable std::shared_mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

// The process-wide registry that /metrics renders.
Registry& Metrics();

// The series a hot path counts into, resolved once per thread and key. GetCounter and
// GetHistogram render labels and take the registry's lock on every call, so code that counts
// every request keeps what they returned: `resolve()` runs the first time `key` is seen on a
// thread and returns the series (a pointer, or a struct of pointers; the registry never
// moves a series). Each call site has its own memo (its lambda's type makes its own
// instantiation). Keys come from the same small fixed sets as label values. The memo lives
// as long as the thread, so what `resolve()` returns must too: series of the process-wide
// registry, which is never destroyed.
template <typename Resolve>
auto ResolvedPerThread(const std::string& key, Resolve&& resolve) -> decltype(resolve()) {
  thread_local std::unordered_map<std::string, decltype(resolve())> resolved;
  auto it = resolved.find(key);
  if (it == resolved.end()) it = resolved.emplace(key, resolve()).first;
  return it->second;
}

// `{a="1",b="x\"y"}` with Prometheus escaping; "" for no labels.
std::string RenderLabels(const Labels& labels);

}  // namespace oakgate::observe
