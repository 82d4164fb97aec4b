#include <gtest/gtest.h>

#include "gateway/http/parser.hpp"

namespace oakgate::http {
namespace {

ParseOutcome Parse(const std::string& raw, Request& out, size_t max = 65536) {
  ParseLimits limits;
  limits.max_request_bytes = max;
  return ParseRequest(raw, limits, out);
}

TEST(HttpParser, ParsesAGetWithQueryAndKeepsItRaw) {
  Request r;
  auto o = Parse("GET /oauth/authorize?client_id=a&client_id=b HTTP/1.1\r\nHost: x\r\n\r\n", r);
  ASSERT_EQ(o.status, ParseStatus::kComplete);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/oauth/authorize");
  EXPECT_EQ(r.raw_query, "client_id=a&client_id=b");
  EXPECT_TRUE(o.keep_alive);
}

TEST(HttpParser, Http11WithoutConnectionHeaderIsPersistent) {
  Request r;
  EXPECT_TRUE(Parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", r).keep_alive);
  EXPECT_FALSE(Parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", r).keep_alive);
  EXPECT_FALSE(Parse("GET / HTTP/1.0\r\n\r\n", r).keep_alive);
  EXPECT_TRUE(Parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", r).keep_alive);
}

TEST(HttpParser, WaitsForTheWholeBody) {
  Request r;
  std::string head = "POST /web/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
  EXPECT_EQ(Parse(head + "ab", r).status, ParseStatus::kHeadersComplete);
  auto o = Parse(head + "abcdeGET", r);
  ASSERT_EQ(o.status, ParseStatus::kComplete);
  EXPECT_EQ(r.body, "abcde");
  EXPECT_EQ(o.consumed, head.size() + 5);
}

TEST(HttpParser, IncompleteHeadersAskForMore) {
  Request r;
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nHost:", r).status, ParseStatus::kIncomplete);
}

struct BadCase {
  const char* name;
  std::string raw;
  int status;
};

class HttpParserRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(HttpParserRejects, WithAClear4xxOr5xx) {
  Request r;
  auto o = Parse(GetParam().raw, r, 1024);
  ASSERT_EQ(o.status, ParseStatus::kError) << GetParam().name;
  EXPECT_EQ(o.error_status, GetParam().status) << GetParam().name;
  EXPECT_FALSE(o.error.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HttpParserRejects,
    ::testing::Values(
        BadCase{"no_host", "GET / HTTP/1.1\r\n\r\n", 400},
        BadCase{"two_hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        BadCase{"http2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
        BadCase{"garbage_version", "GET / FOO\r\nHost: a\r\n\r\n", 400},
        BadCase{"absolute_target", "GET http://x/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        BadCase{"space_in_target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        BadCase{"bad_percent_in_path", "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        BadCase{"nul_in_path", "GET /%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        BadCase{"folded_header", "GET / HTTP/1.1\r\nHost: a\r\n x\r\n\r\n", 400},
        BadCase{"header_without_colon", "GET / HTTP/1.1\r\nHost: a\r\nBad\r\n\r\n", 400},
        BadCase{"space_in_header_name", "GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", 400},
        BadCase{"control_in_value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n", 400},
        BadCase{"te_and_cl",
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 1"
                "\r\n\r\nx",
                400},
        BadCase{"chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
        BadCase{"negative_length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
        BadCase{"conflicting_lengths",
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx",
                400},
        BadCase{"huge_length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n",
                400},
        BadCase{"body_over_limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n",
                413},
        BadCase{"headers_over_limit", "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(2000, 'a'),
                413}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace oakgate::http
