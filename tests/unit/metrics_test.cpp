#include "gateway/observe/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace oakgate::observe {
namespace {

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(RenderLabels({}), "");
  EXPECT_EQ(RenderLabels({{"a", "1"}, {"b", "x\"y\\z\nw"}}), R"({a="1",b="x\"y\\z\nw"})");
}

// A hot path resolves each series once per thread and key, and counts into what it got.
TEST(Metrics, ResolvedPerThreadAsksTheRegistryOncePerThreadAndKey) {
  Registry r;
  int lookups = 0;
  // The memo outlives `r`: keys of their own for each run (--gtest_repeat) keep a later run
  // from counting into a registry that is gone.
  static int run = 0;
  const std::string prefix = std::to_string(run++) + "/";
  auto count = [&](const std::string& k) {
    ResolvedPerThread(prefix + k, [&] {
      ++lookups;
      return &r.GetCounter("memo_total", "help", {{"k", k}});
    })->Inc();
  };
  for (int i = 0; i < 3; ++i) count("a");
  count("b");
  EXPECT_EQ(lookups, 2);
  std::thread([&] { count("a"); }).join();
  EXPECT_EQ(lookups, 3) << "another thread resolves for itself";
  std::string text = r.Render();
  EXPECT_NE(text.find("memo_total{k=\"a\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("memo_total{k=\"b\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, CountersAreSeriesPerLabelSet) {
  Registry r;
  r.GetCounter("t_total", "help", {{"k", "a"}}).Inc();
  r.GetCounter("t_total", "help", {{"k", "a"}}).Inc(2);
  r.GetCounter("t_total", "help", {{"k", "b"}}).Inc();
  std::string text = r.Render();
  EXPECT_NE(text.find("# HELP t_total help\n# TYPE t_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("t_total{k=\"a\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_total{k=\"b\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry r;
  auto& h = r.GetHistogram("lat_seconds", "latency", {{"route", "/x"}});
  h.Observe(0.0001);  // first bucket
  h.Observe(0.003);   // le=0.005
  h.Observe(60);      // only +Inf
  std::string text = r.Render();
  EXPECT_NE(text.find("lat_seconds_bucket{route=\"/x\",le=\"0.00025\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("lat_seconds_bucket{route=\"/x\",le=\"0.002\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("lat_seconds_bucket{route=\"/x\",le=\"0.0005\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("lat_seconds_bucket{route=\"/x\",le=\"0.005\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("lat_seconds_bucket{route=\"/x\",le=\"10\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_count{route=\"/x\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_sum{route=\"/x\"} 60.0031\n"), std::string::npos) << text;
}

TEST(Metrics, SizeHistogramsUseTheirOwnBounds) {
  Registry r;
  auto& h = r.GetHistogram("batch_size", "sizes", {}, Histogram::SizeBounds());
  h.Observe(1);
  h.Observe(3);    // le=4
  h.Observe(900);  // le=1024
  std::string text = r.Render();
  EXPECT_NE(text.find("batch_size_bucket{le=\"1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("batch_size_bucket{le=\"2\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("batch_size_bucket{le=\"4\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("batch_size_bucket{le=\"1024\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("batch_size_sum 904\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("le=\"0.0005\""), std::string::npos) << "no latency bounds";
}

TEST(Metrics, CallbacksAreReadAtScrapeTime) {
  Registry r;
  double v = 1;
  r.AddCallback("g", "gauge", "gauge", [&v] { return v; });
  v = 7;
  EXPECT_NE(r.Render().find("g 7\n"), std::string::npos);
}

}  // namespace
}  // namespace oakgate::observe
