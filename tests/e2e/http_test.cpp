// The HTTP layer against the real binary: persistent connections, limits, timeouts, errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

class HttpE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url(), {{"OAKGATE_HEADER_TIMEOUT", "1"},
                                          {"OAKGATE_IDLE_TIMEOUT", "2"},
                                          {"OAKGATE_MAX_REQUEST_BYTES", "16384"}});
    auto r = RunOakgate({"user", "create", "--email", "slow@example.com", "--password-stdin"},
                        gw_->env(), "a-long-password\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete gw_;
    delete db_;
  }
  static int port() { return gw_->port(); }
  static TestDatabase* db_;
  static GatewayProcess* gw_;
};

TestDatabase* HttpE2E::db_ = nullptr;
GatewayProcess* HttpE2E::gw_ = nullptr;

TEST_F(HttpE2E, TwoRequestsOnOneConnectionWithoutAConnectionHeader) {
  // Pistache 0.0.5 answers such requests with "Connection: Close"; the contract requires
  // persistent HTTP/1.1 connections (RFC 9112 §9.3).
  HttpConnection conn(port());
  conn.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto first = conn.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_NE(first->Header("connection").value_or(""), "close");
  conn.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto second = conn.Read();
  ASSERT_TRUE(second) << "the server closed a persistent connection";
  EXPECT_EQ(second->status, 200);
}

TEST_F(HttpE2E, PipelinedRequestsAreAnsweredInOrder) {
  HttpConnection conn(port());
  conn.SendRaw(
      "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  auto a = conn.Read(), b = conn.Read(), c = conn.Read();
  ASSERT_TRUE(a && b && c);
  EXPECT_NE(a->body.find("ready"), std::string::npos);  // /readyz went through the pool
  EXPECT_NE(b->body.find("ok"), std::string::npos);
  EXPECT_EQ(c->status, 404);
}

TEST_F(HttpE2E, ConnectionCloseIsHonoured) {
  HttpConnection conn(port());
  conn.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(conn.WaitClosed(std::chrono::seconds(5)));
}

TEST_F(HttpE2E, UnknownPathIsJson404) {
  auto r = Fetch(port(), "GET", "/does-not-exist");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"], "not_found");
}

TEST_F(HttpE2E, WrongMethodIs405WithAllow) {
  auto r = Fetch(port(), "DELETE", "/healthz");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "GET, HEAD");
  auto login = Fetch(port(), "PUT", "/web/login");
  EXPECT_EQ(login.status, 405);
  EXPECT_EQ(login.Header("allow"), "GET, HEAD, POST");
}

TEST_F(HttpE2E, OversizedBodyIs413) {
  std::string body(20000, 'a');
  auto r = Fetch(port(), "POST", "/web/login",
                 {{"Content-Type", "application/x-www-form-urlencoded"}}, body);
  EXPECT_EQ(r.status, 413);
}

TEST_F(HttpE2E, OversizedHeadersAre413) {
  auto r = Fetch(port(), "GET", "/healthz", {{"X-Big", std::string(20000, 'b')}});
  EXPECT_EQ(r.status, 413);
}

TEST_F(HttpE2E, MalformedRequestsGet4xxAndTheServerKeepsServing) {
  for (std::string raw : {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/1.1\r\n\r\n"),
                          std::string("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"),
                          std::string("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
                          std::string("GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),
                          std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n")}) {
    HttpConnection conn(port());
    conn.SendRaw(raw);
    auto r = conn.Read();
    ASSERT_TRUE(r) << raw;
    EXPECT_GE(r->status, 400) << raw;
    EXPECT_LT(r->status, 500) << raw;
    EXPECT_EQ(r->body.find("exception"), std::string::npos);
  }
  EXPECT_EQ(Fetch(port(), "GET", "/healthz").status, 200);
}

TEST_F(HttpE2E, RequestIdIsEchoedOrGenerated) {
  auto given = Fetch(port(), "GET", "/healthz", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(given.Header("x-request-id"), "abc-123");
  auto unsafe = Fetch(port(), "GET", "/healthz", {{"X-Request-Id", "<script>"}});
  ASSERT_TRUE(unsafe.Header("x-request-id"));
  EXPECT_NE(unsafe.Header("x-request-id"), "<script>");
  EXPECT_FALSE(unsafe.Header("x-request-id")->empty());
}

TEST_F(HttpE2E, HeaderTimeoutFreesASlowClient) {
  HttpConnection conn(port());
  conn.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // never finishes its headers
  auto r = conn.Read(std::chrono::seconds(10));
  ASSERT_TRUE(r) << "the header timeout did not answer";
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(conn.WaitClosed(std::chrono::seconds(10)));
}

TEST_F(HttpE2E, IdleKeepAliveConnectionsAreClosed) {
  HttpConnection conn(port());
  ASSERT_TRUE(conn.Request("GET", "/healthz"));
  EXPECT_TRUE(conn.WaitClosed(std::chrono::seconds(15)));
}

TEST_F(HttpE2E, SlowLoginDoesNotHoldUpHealthOnAnotherConnection) {
  // Several logins keep scrypt busy on the worker pool; /healthz must answer meanwhile.
  std::vector<std::unique_ptr<HttpConnection>> logins;
  LoginForm form = FetchLoginForm(port());
  std::string body = FormEncode({{"email", "slow@example.com"},
                                 {"password", "wrong-password"},
                                 {"csrf", form.csrf_token},
                                 {"return_to", "/"}});
  for (int i = 0; i < 4; ++i) {
    logins.push_back(std::make_unique<HttpConnection>(port(), "127.0.0." + std::to_string(10 + i)));
    logins.back()->SendRaw(
        "POST /web/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
        "application/x-www-form-urlencoded\r\nCookie: " +
        form.csrf_cookie + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
        body);
  }
  HttpConnection health(port());
  auto h = health.Request("GET", "/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  // At least one login is still being hashed when /healthz has already answered.
  int pending = 0;
  for (auto& c : logins) {
    if (!c->Read(std::chrono::milliseconds(1))) ++pending;
  }
  EXPECT_GT(pending, 0);
  for (auto& c : logins) {
    auto r = c->Read(std::chrono::seconds(30));
    if (r) {
      EXPECT_EQ(r->status, 401);
    }
  }
}

}  // namespace
}  // namespace oakgate::test
