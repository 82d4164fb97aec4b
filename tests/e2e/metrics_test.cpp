// /metrics in Prometheus text format (CONTRACT §7), accepted by promtool.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

TEST(MetricsE2E, CountsRequestsByRouteAndStatusAndPassesPromtool) {
  TestDatabase db;
  GatewayProcess gw(db.url());
  ASSERT_EQ(Fetch(gw.port(), "GET", "/healthz").status, 200);
  ASSERT_EQ(Fetch(gw.port(), "GET", "/no/such/path/a1b2").status, 404);
  ASSERT_EQ(PostLogin(gw.port(), FetchLoginForm(gw.port()), "nobody@example.com", "x").status, 401);

  auto r = Fetch(gw.port(), "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = r.body;
  EXPECT_NE(m.find(R"(oakgate_http_requests_total{route="/healthz",method="GET",status="200"} 1)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(R"(oakgate_http_requests_total{route="unmatched",method="other",status="404"})"),
            std::string::npos)
      << "unknown paths share one series";
  EXPECT_EQ(m.find("a1b2"), std::string::npos) << "no request data in label values";
  EXPECT_NE(m.find(R"(oakgate_http_request_duration_seconds_bucket{route="/web/login",le="+Inf"})"),
            std::string::npos);
  EXPECT_NE(m.find(R"(oakgate_login_failures_total{reason="invalid_credentials"} 1)"),
            std::string::npos);
  EXPECT_NE(m.find("oakgate_worker_queue_depth "), std::string::npos);
  EXPECT_NE(m.find("oakgate_build_info{version="), std::string::npos);

  // promtool (Debian's prometheus package) reads the exposition from stdin.
  char path[] = "/tmp/oakgate-metrics.XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream(path) << m;
  std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_TRUE(p);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof(buf), p)) out += buf;
  int status = pclose(p);
  unlink(path);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "") << "promtool lint findings";
}

}  // namespace
}  // namespace oakgate::test
