// SIGTERM drains (CONTRACT §7): /readyz turns 503, every response carries Connection: close,
// requests in flight finish with their whole answer, idle keep-alive connections are closed,
// and the process exits 0.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <memory>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";

struct SlowLogin {
  std::unique_ptr<HttpConnection> conn;
  bool right_password = false;
};

std::string LoginRequest(const LoginForm& form, const std::string& email,
                         const std::string& password) {
  std::string body = FormEncode(
      {{"email", email}, {"password", password}, {"csrf", form.csrf_token}, {"return_to", "/"}});
  return "POST /web/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
         "Content-Type: application/x-www-form-urlencoded\r\n"
         "Cookie: " +
         form.csrf_cookie + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

TEST(DrainE2E, SigtermLetsSlowRequestsFinishThenExitsZero) {
  TestDatabase db;
  // Two scrypt slots: eight logins (~200 ms each) queue for about a second.
  GatewayProcess gw(db.url(), {{"OAKGATE_PASSWORD_HASH_CONCURRENCY", "2"},
                               {"OAKGATE_COLOUR", "blue"},
                               {"OAKGATE_DRAIN_TIMEOUT", "20"}});
  auto created = RunOakgate({"user", "create", "--email", "drain@example.com", "--password-stdin"},
                            gw.env(), std::string(kPassword) + "\n");
  ASSERT_EQ(created.exit_code, 0) << created.err;

  // A keep-alive connection that has served one request and sits idle.
  HttpConnection idle(gw.port());
  auto first = idle.Request("GET", "/healthz");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->Header("connection").value_or(""), "") << "persistent by default";
  EXPECT_EQ(first->Header("x-oakgate-colour"), "blue");

  std::vector<SlowLogin> slow;
  for (int i = 0; i < 8; ++i) {
    // Different source addresses keep the failures below the throttling limits.
    std::string source = "127.0.0." + std::to_string(10 + i);
    LoginForm form = FetchLoginForm(gw.port(), "/", source);
    SlowLogin s;
    s.right_password = i % 2 == 0;
    s.conn = std::make_unique<HttpConnection>(gw.port(), source);
    ASSERT_TRUE(s.conn->connected());
    s.conn->SendRaw(LoginRequest(form, "drain@example.com", s.right_password ? kPassword : "nope"));
    slow.push_back(std::move(s));
  }

  auto sigterm_at = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(gw.pid(), SIGTERM), 0);

  // While the logins are still hashing, /readyz says 503 and new connections are answered,
  // with Connection: close.
  bool saw_draining = false;
  auto deadline = sigterm_at + std::chrono::seconds(5);
  while (!saw_draining && std::chrono::steady_clock::now() < deadline) {
    HttpConnection c(gw.port());
    ASSERT_TRUE(c.connected()) << "the listener must stay open while draining";
    auto r = c.Request("GET", "/readyz");
    ASSERT_TRUE(r) << "a request during the drain must be answered";
    if (r->status == 503) {
      saw_draining = true;
      EXPECT_NE(r->body.find("draining"), std::string::npos) << r->body;
      EXPECT_EQ(r->Header("connection"), "close");
    }
  }
  EXPECT_TRUE(saw_draining) << "/readyz never turned 503 after SIGTERM";
  {
    HttpConnection c(gw.port());
    auto r = c.Request("GET", "/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(c.WaitClosed(std::chrono::seconds(3)));
  }

  // The idle keep-alive connection is closed by the server, promptly.
  EXPECT_TRUE(idle.WaitClosed(std::chrono::seconds(3)))
      << "an idle keep-alive connection must be closed while draining";

  int answered = 0;
  for (auto& s : slow) {
    auto r = s.conn->Read(std::chrono::seconds(20));
    ASSERT_TRUE(r) << "a request in flight at SIGTERM lost its answer";
    EXPECT_EQ(r->status, s.right_password ? 303 : 401) << r->body;
    EXPECT_EQ(r->Header("connection"), "close");
    if (!s.right_password) {
      EXPECT_NE(r->body.find("</html>"), std::string::npos) << "the whole page arrives";
    }
    EXPECT_TRUE(s.conn->WaitClosed(std::chrono::seconds(3)));
    ++answered;
  }
  EXPECT_EQ(answered, 8);

  int code = gw.Stop(std::chrono::seconds(30));
  EXPECT_EQ(code, 0) << gw.Logs();
  auto took = std::chrono::steady_clock::now() - sigterm_at;
  EXPECT_LT(took, std::chrono::seconds(15))
      << "the drain ends when the work does, not at the bound";
}

}  // namespace
}  // namespace oakgate::test
