// The HTTP edge against the real binary, byte for byte: request smuggling and malformed
// requests (issue 26), and Strict-Transport-Security (issue 26, G18). Every case talks raw TCP,
// so nothing between the test and the gateway normalises what is sent.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

constexpr size_t kMaxRequestBytes = 4096;

// The `error` of a JSON error answer; "" for anything else.
std::string ErrorOf(const HttpResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_string()) return "";
  return j["error"].get<std::string>();
}

// Up to `count` answers, in order: fewer when the gateway closes the connection first or
// `timeout` passes.
std::vector<HttpResponse> ReadResponses(HttpConnection& conn, size_t count,
                                        std::chrono::milliseconds timeout) {
  std::vector<HttpResponse> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    // With no time left, Read still returns what is already buffered.
    auto r = conn.Read(std::max(left, std::chrono::milliseconds(0)));
    if (!r) break;
    out.push_back(std::move(*r));
  }
  return out;
}

// Every answer until the gateway closes the connection (or `timeout` passes).
std::vector<HttpResponse> ReadUntilClosed(HttpConnection& conn, std::chrono::milliseconds timeout) {
  return ReadResponses(conn, SIZE_MAX, timeout);
}

// One row: bytes sent at once on a fresh connection, the statuses answered in order, the
// `error` of the last one ("" when it is not an error or not checked), and whether the gateway
// closes the connection after them. A connection left open must be in step: a GET /healthz
// sent next is answered 200, not by anything the bytes smuggled in.
struct EdgeCase {
  const char* name;
  std::string bytes;
  std::vector<int> statuses;
  std::string error;
  bool closes;
};

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::vector<EdgeCase> EdgeCases() {
  const std::string host = "Host: x\r\n";
  const std::string tls_hello = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"s;
  const std::string smuggled = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  return {
      // Framing: RFC 9112 §6.1, §6.3. Transfer-Encoding is never accepted, so no chunk size is
      // ever read, and two framings at once are refused outright.
      {"content-length-and-transfer-encoding",
       "POST /oauth/token HTTP/1.1\r\n" + host +
           "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       {400},
       "invalid_request",
       true},
      {"transfer-encoding-then-content-length",
       "POST /oauth/token HTTP/1.1\r\n" + host +
           "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
       {400},
       "invalid_request",
       true},
      {"transfer-encoding-chunked",
       "POST /oauth/token HTTP/1.1\r\n" + host +
           "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
       {501},
       "invalid_request",
       true},
      {"chunked-with-a-bad-chunk-size",
       "POST /oauth/token HTTP/1.1\r\n" + host +
           "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
       {501},
       "invalid_request",
       true},
      {"chunked-with-an-overflowing-chunk-size",
       "POST /oauth/token HTTP/1.1\r\n" + host +
           "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff1\r\nhello\r\n0\r\n\r\n",
       {501},
       "invalid_request",
       true},
      {"transfer-encoding-listing-chunked-after-another-coding",
       "POST /oauth/token HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n",
       {501},
       "invalid_request",
       true},
      {"transfer-encoding-with-a-space-before-the-colon",
       "POST /oauth/token HTTP/1.1\r\n" + host +
           "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
       {400},
       "invalid_request",
       true},
      {"duplicate-content-length-that-disagrees",
       "POST /healthz HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
       {400},
       "invalid_request",
       true},
      // RFC 9110 §8.6: identical repeated values may be taken as one; the body is then exactly
      // that long and the next request is read where it ends.
      {"duplicate-content-length-that-agrees",
       "POST /healthz HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
       {405},
       "method_not_allowed",
       false},
      {"content-length-as-a-list",
       "POST /healthz HTTP/1.1\r\n" + host + "Content-Length: 3, 3\r\n\r\nabc",
       {400},
       "invalid_request",
       true},
      {"content-length-with-a-sign",
       "POST /healthz HTTP/1.1\r\n" + host + "Content-Length: +3\r\n\r\nabc",
       {400},
       "invalid_request",
       true},
      {"content-length-of-eleven-digits",
       "POST /healthz HTTP/1.1\r\n" + host + "Content-Length: 99999999999\r\n\r\n",
       {400},
       "invalid_request",
       true},
      {"a-request-smuggled-in-a-content-length-body",
       "POST /healthz HTTP/1.1\r\n" + host + "Content-Length: " + std::to_string(smuggled.size()) +
           "\r\n\r\n" + smuggled,
       {405},
       "method_not_allowed",
       false},
      // Header syntax: RFC 9112 §5.
      {"obs-fold",
       "GET /healthz HTTP/1.1\r\n" + host + "X-A: a\r\n folded\r\n\r\n",
       {400},
       "invalid_request",
       true},
      {"bare-lf-inside-the-header-section",
       "GET /healthz HTTP/1.1\r\nHost: x\nX-Smuggled: 1\r\n\r\n",
       {400},
       "invalid_request",
       true},
      {"bare-cr-in-a-header-value",
       "GET /healthz HTTP/1.1\r\n" + host + "X-A: a\rb\r\n\r\n",
       {400},
       "invalid_request",
       true},
      // With bare LF only, the head never ends: the header timeout answers.
      {"bare-lf-line-endings-only",
       "GET /healthz HTTP/1.1\nHost: x\n\n",
       {408},
       "request_timeout",
       true},
      {"nul-in-a-header-value",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"s,
       {400},
       "invalid_request",
       true},
      {"nul-in-the-request-line",
       "GET /heal\0thz HTTP/1.1\r\nHost: x\r\n\r\n"s,
       {400},
       "invalid_request",
       true},
      {"header-name-with-a-space",
       "GET /healthz HTTP/1.1\r\n" + host + "X A: b\r\n\r\n",
       {400},
       "invalid_request",
       true},
      {"header-line-without-a-colon",
       "GET /healthz HTTP/1.1\r\n" + host + "Bad Header\r\n\r\n",
       {400},
       "invalid_request",
       true},
      {"no-host", "GET /healthz HTTP/1.1\r\n\r\n", {400}, "invalid_request", true},
      {"two-hosts",
       "GET /healthz HTTP/1.1\r\n" + host + host + "\r\n",
       {400},
       "invalid_request",
       true},
      // Sizes: max_request_bytes for the head and body together.
      {"oversized-header-line",
       "GET /healthz HTTP/1.1\r\n" + host + "X-Big: " + std::string(kMaxRequestBytes + 100, 'b') +
           "\r\n\r\n",
       {413},
       "request_too_large",
       true},
      {"oversized-request-line",
       "GET /" + std::string(kMaxRequestBytes + 100, 'a') + " HTTP/1.1\r\n" + host + "\r\n",
       {413},
       "request_too_large",
       true},
      {"oversized-body-announced",
       "POST /oauth/token HTTP/1.1\r\n" + host +
           "Content-Length: " + std::to_string(kMaxRequestBytes) + "\r\n\r\n",
       {413},
       "request_too_large",
       true},
      {"oversized-body-sent",
       "POST /oauth/token HTTP/1.1\r\n" + host +
           "Content-Length: " + std::to_string(4 * kMaxRequestBytes) + "\r\n\r\n" +
           std::string(4 * kMaxRequestBytes, 'x'),
       {413},
       "request_too_large",
       true},
      {"too-many-headers",
       "GET /healthz HTTP/1.1\r\n" + host + Repeat("X-N: 1\r\n", 101) + "\r\n",
       {413},
       "request_too_large",
       true},
      // The request line: RFC 9112 §3.
      {"request-line-garbage", "GARBAGE\r\n\r\n", {400}, "invalid_request", true},
      {"request-line-with-two-spaces",
       "GET  /healthz HTTP/1.1\r\n" + host + "\r\n",
       {400},
       "invalid_request",
       true},
      {"http-0.9-request-line-with-an-empty-line",
       "GET /healthz\r\n\r\n",
       {400},
       "invalid_request",
       true},
      {"http-0.9-request-line-alone", "GET /healthz\r\n", {408}, "request_timeout", true},
      {"http-2.0-version",
       "GET /healthz HTTP/2.0\r\n" + host + "\r\n",
       {505},
       "invalid_request",
       true},
      {"http-2-connection-preface",
       "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
       {505},
       "invalid_request",
       true},
      {"http-1.2-version",
       "GET /healthz HTTP/1.2\r\n" + host + "\r\n",
       {505},
       "invalid_request",
       true},
      {"lower-case-version",
       "GET /healthz http/1.1\r\n" + host + "\r\n",
       {400},
       "invalid_request",
       true},
      {"absolute-form-to-another-host",
       "GET http://evil.example/healthz HTTP/1.1\r\nHost: evil.example\r\n\r\n",
       {400},
       "invalid_request",
       true},
      {"authority-form-connect",
       "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n",
       {400},
       "invalid_request",
       true},
      {"asterisk-form-options",
       "OPTIONS * HTTP/1.1\r\n" + host + "\r\n",
       {400},
       "invalid_request",
       true},
      {"method-with-a-separator",
       "G(T /healthz HTTP/1.1\r\n" + host + "\r\n",
       {400},
       "invalid_request",
       true},
      {"method-of-twenty-one-characters",
       std::string(21, 'G') + " /healthz HTTP/1.1\r\n" + host + "\r\n",
       {400},
       "invalid_request",
       true},
      {"unknown-method-token",
       "BREW /healthz HTTP/1.1\r\n" + host + "\r\n",
       {405},
       "method_not_allowed",
       false},
      {"control-character-in-the-target",
       "GET /heal\x01thz HTTP/1.1\r\n" + host + "\r\n",
       {400},
       "invalid_request",
       true},
      {"encoded-nul-in-the-path",
       "GET /%00 HTTP/1.1\r\n" + host + "\r\n",
       {400},
       "invalid_request",
       true},
      {"tls-client-hello", tls_hello, {400}, "invalid_request", true},
      // Pipelining: nothing after a refused request is read, and a refusal after a good
      // request does not take the good answer with it.
      {"pipelined-request-after-a-bad-one",
       "GET /healthz HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd" +
           "GET /healthz HTTP/1.1\r\n" + host + "\r\n",
       {400},
       "invalid_request",
       true},
      {"bad-request-pipelined-after-a-good-one",
       "GET /healthz HTTP/1.1\r\n" + host + "\r\nGARBAGE\r\n\r\nGET /healthz HTTP/1.1\r\n" + host +
           "\r\n",
       {200, 400},
       "invalid_request",
       true},
      // RFC 9112 §2.2: empty lines before a request line are ignored.
      {"empty-lines-before-the-request-line",
       "\r\n\r\nGET /healthz HTTP/1.1\r\n" + host + "\r\n",
       {200},
       "",
       false},
      // RFC 9112 §9.3: HTTP/1.0 is not persistent unless asked.
      {"http-1.0-without-keep-alive", "GET /healthz HTTP/1.0\r\n\r\n", {200}, "", true},
  };
}

class HttpEdgeE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url(),
                             {{"OAKGATE_HEADER_TIMEOUT", "1"},
                              {"OAKGATE_MAX_REQUEST_BYTES", std::to_string(kMaxRequestBytes)}});
  }
  static void TearDownTestSuite() {
    delete gw_;
    delete db_;
  }
  static int port() { return gw_->port(); }
  static TestDatabase* db_;
  static GatewayProcess* gw_;
};

TestDatabase* HttpEdgeE2E::db_ = nullptr;
GatewayProcess* HttpEdgeE2E::gw_ = nullptr;

TEST_F(HttpEdgeE2E, EachSmugglingOrMalformedRequestGetsItsExactStatusAndIsClosedWhereItMust) {
  const std::string health_body = Fetch(port(), "GET", "/healthz").body;
  ASSERT_FALSE(health_body.empty());
  auto cases = EdgeCases();
  ASSERT_GE(cases.size(), 16u);
  for (const EdgeCase& c : cases) {
    SCOPED_TRACE(c.name);
    HttpConnection conn(port());
    ASSERT_TRUE(conn.connected());
    conn.SendRaw(c.bytes);
    std::vector<HttpResponse> got =
        c.closes ? ReadUntilClosed(conn, 10s) : ReadResponses(conn, c.statuses.size(), 10s);
    std::vector<int> statuses;
    for (const auto& r : got) statuses.push_back(r.status);
    EXPECT_EQ(statuses, c.statuses);
    if (got.empty()) continue;
    const HttpResponse& last = got.back();
    if (!c.error.empty()) {
      EXPECT_EQ(ErrorOf(last), c.error) << last.body;
    }
    EXPECT_TRUE(last.Header("x-request-id"));
    EXPECT_EQ(last.body.find("exception"), std::string::npos) << last.body;
    if (c.closes) {
      EXPECT_TRUE(conn.closed()) << "the connection was left open";
      EXPECT_EQ(last.Header("connection"), "close");
      continue;
    }
    // Still open and in step: the next request gets its own answer.
    for (const auto& r : got) EXPECT_NE(r.Header("connection"), "close");
    conn.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    auto next = ReadResponses(conn, 1, 10s);
    ASSERT_EQ(next.size(), 1u) << "the connection closed or fell out of step";
    EXPECT_EQ(next[0].status, 200);
    EXPECT_EQ(next[0].body, health_body);
  }
  // None of it hurt the gateway, nor raised an exception anywhere.
  EXPECT_EQ(Fetch(port(), "GET", "/healthz").status, 200);
  std::string metrics = Fetch(port(), "GET", "/metrics").body;
  for (const char* where : {"handler", "reactor_attempt", "worker", "reply", "transport"}) {
    EXPECT_NE(metrics.find("oakgate_unexpected_exceptions_total{where=\"" + std::string(where) +
                           "\"} 0\n"),
              std::string::npos)
        << where << "\n"
        << metrics;
  }
}

// One of each way the gateway answers: from memory, from the pool, a fast path's decline, a
// CORS route, an HTML page, the router's 404 and 405, the parser's 400 and the sweeper's 408.
std::vector<std::pair<std::string, HttpResponse>> OneOfEachAnswer(int port) {
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"inline", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"pool", "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"fast path declined",
       "POST /oauth/introspect HTTP/1.1\r\nHost: x\r\nContent-Type: "
       "application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\ntoken=x"},
      {"cors route",
       "POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: "
       "application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\ngrant_type"},
      {"html page", "GET /web/login HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"not found", "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"method not allowed", "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"parse error", "GARBAGE\r\n\r\n"},
      {"header timeout", "GET /healthz HTTP/1.1\r\nHost: x\r\n"},
  };
  std::vector<std::pair<std::string, HttpResponse>> out;
  for (const auto& [what, bytes] : requests) {
    HttpConnection conn(port);
    conn.SendRaw(bytes);
    auto got = ReadResponses(conn, 1, 10s);
    EXPECT_EQ(got.size(), 1u) << what;
    if (!got.empty()) out.emplace_back(what, std::move(got[0]));
  }
  return out;
}

class HstsE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = new TestDatabase(); }
  static void TearDownTestSuite() { delete db_; }
  static TestDatabase* db_;
};

TestDatabase* HstsE2E::db_ = nullptr;

TEST_F(HstsE2E, HttpsIssuerSendsStrictTransportSecurityOnEveryResponse) {
  GatewayProcess gw(
      db_->url(), {{"OAKGATE_ISSUER", "https://gateway.example"}, {"OAKGATE_HEADER_TIMEOUT", "1"}});
  auto answers = OneOfEachAnswer(gw.port());
  ASSERT_EQ(answers.size(), 9u);
  for (const auto& [what, r] : answers) {
    // RFC 6797 §6.1: two years, the value the Nginx template's TLS server sends too.
    EXPECT_EQ(r.Header("strict-transport-security"), "max-age=63072000")
        << what << " (" << r.status << ")";
  }
}

TEST_F(HstsE2E, HttpIssuerNeverSendsStrictTransportSecurity) {
  GatewayProcess gw(db_->url(), {{"OAKGATE_HEADER_TIMEOUT", "1"}});  // http://127.0.0.1:port
  auto answers = OneOfEachAnswer(gw.port());
  ASSERT_EQ(answers.size(), 9u);
  for (const auto& [what, r] : answers) {
    EXPECT_FALSE(r.Header("strict-transport-security")) << what << " (" << r.status << ")";
  }
}

}  // namespace
}  // namespace oakgate::test
