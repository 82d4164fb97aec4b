// SIGTERM drains (CONTRACT §7): /readyz turns 503, every response carries Connection: close,
// requests in flight finish with their whole answer, idle keep-alive connections are closed,
// and the process exits 0.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <thread>
#include <vector>

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

  // The forms first: the login page runs on the worker pool too, so fetching one while
  // earlier logins hash would wait behind them and let those finish before the SIGTERM.
  std::vector<LoginForm> forms;
  for (int i = 0; i < 8; ++i) {
    forms.push_back(FetchLoginForm(gw.port(), "/", "127.0.0." + std::to_string(10 + i)));
  }
  std::vector<SlowLogin> slow;
  for (int i = 0; i < 8; ++i) {
    // Different source addresses keep the failures below the throttling limits.
    std::string source = "127.0.0." + std::to_string(10 + i);
    const LoginForm& form = forms[i];
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

// The systemd notification socket, as systemd would hold it for a Type=notify unit.
class NotifySocket {
 public:
  NotifySocket() {
    char dir[] = "/tmp/oakgate-notify.XXXXXX";
    dir_ = ::mkdtemp(dir);
    path_ = dir_ + "/notify";
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path_.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) fd_ = -1;
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }
  bool ok() const { return fd_ >= 0; }
  // The next datagram, or "" when none arrives within the timeout.
  std::string Next(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  std::string dir_, path_;
  int fd_ = -1;
};

TEST(DrainE2E, ReadyIsNotifiedOnlyOnceMigrationsAreCurrent) {
  TestDatabase db;  // empty: no migration applied
  NotifySocket notify;
  ASSERT_TRUE(notify.ok());
  // Up (/healthz answers) but not ready: the schema is missing, so no READY=1 yet.
  GatewayProcess gw(db.url(), {{"OAKGATE_AUTO_MIGRATE", "0"}, {"NOTIFY_SOCKET", notify.path()}},
                    /*wait_ready=*/false);
  int port = gw.port();
  for (int i = 0; i < 3; ++i) {
    auto r = Fetch(port, "GET", "/readyz");
    EXPECT_EQ(r.status, 503) << r.body;
  }
  EXPECT_EQ(notify.Next(std::chrono::milliseconds(500)), "") << "READY=1 before /readyz holds";

  // The other colour (here: the CLI) applies the migrations; now it is ready and says so.
  auto migrated = RunOakgate({"migrate"}, gw.env());
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  std::string message = notify.Next(std::chrono::seconds(10));
  EXPECT_NE(message.find("READY=1"), std::string::npos) << message;
  EXPECT_EQ(Fetch(port, "GET", "/readyz").status, 200);

  ASSERT_EQ(::kill(gw.pid(), SIGTERM), 0);
  EXPECT_NE(notify.Next(std::chrono::seconds(10)).find("STOPPING=1"), std::string::npos);
  EXPECT_EQ(gw.Stop(std::chrono::seconds(30)), 0) << gw.Logs();
}

}  // namespace
}  // namespace oakgate::test
