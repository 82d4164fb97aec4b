// SIGTERM drains (CONTRACT §7): the listener stops taking connections without resetting one the
// kernel already accepted (new connects are refused, which Nginx retries on the other colour),
// /readyz turns 503, every response carries Connection: close, requests in flight finish with
// their whole answer, idle keep-alive connections are closed only after the proxy's upstream
// keep-alive timeout, and the process exits 0. A colour listens only once it is ready.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/eventually.hpp"
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

  // Keep-alive connections that have served one request and sit idle, as Nginx keeps them.
  HttpConnection idle(gw.port());
  auto first = idle.Request("GET", "/healthz");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->Header("connection").value_or(""), "") << "persistent by default";
  EXPECT_EQ(first->Header("x-oakgate-colour"), "blue");
  HttpConnection idle_to_use(gw.port());
  ASSERT_TRUE(idle_to_use.Request("GET", "/healthz"));
  HttpConnection idle_third(gw.port());
  ASSERT_TRUE(idle_third.Request("GET", "/healthz"));

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

  // While the logins are still hashing: a request on an idle keep-alive connection is
  // answered (Nginx may pick that connection at any moment), /readyz says 503, and the answer
  // says Connection: close.
  // The signal may not have been taken yet: the same connection asks again until an answer
  // says Connection: close. A /readyz that began before the signal may still say 200 (with
  // Connection: close); then a third idle connection asks once more and must hear 503.
  std::optional<HttpResponse> readyz;
  Eventually(
      [&] {
        readyz = idle_to_use.Request("GET", "/readyz");
        return !readyz || readyz->Header("connection") == "close";
      },
      std::chrono::seconds(5));
  ASSERT_TRUE(readyz) << "a request on an idle keep-alive connection during the drain was lost: "
                      << gw.Logs();
  EXPECT_EQ(readyz->Header("connection"), "close");
  if (readyz->status == 200) {
    readyz = idle_third.Request("GET", "/readyz");
    ASSERT_TRUE(readyz) << "a request on an idle keep-alive connection during the drain was lost";
  }
  EXPECT_EQ(readyz->status, 503) << readyz->body;
  EXPECT_NE(readyz->body.find("draining"), std::string::npos) << readyz->body;
  EXPECT_EQ(readyz->Header("connection"), "close");
  EXPECT_TRUE(idle_to_use.WaitClosed(std::chrono::seconds(3)));

  // New connections are refused (at once, or after one SYN retransmission): Nginx then tries
  // the other colour with nothing sent.
  EXPECT_TRUE(
      Eventually([&] { return !HttpConnection(gw.port()).connected(); }, std::chrono::seconds(5)))
      << "the listener must close while draining";

  // The idle connection stays open for longer than Nginx keeps an idle upstream connection
  // (its keepalive_timeout, 2 s in nginx/oakgate.conf.in), so a request Nginx sends on it just
  // before it lets it go is not met by a close; then the gateway closes it.
  EXPECT_FALSE(idle.WaitClosed(std::chrono::milliseconds(2500)))
      << "an idle keep-alive connection was closed before the proxy's keep-alive timeout";
  EXPECT_TRUE(idle.WaitClosed(std::chrono::seconds(5)))
      << "an idle keep-alive connection must be closed once drain_idle_grace_ms has passed";

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

// Closing a listening socket resets the connections still in its accept queue: the client saw
// its connect succeed and sent its request. Clients that connect as fast as they can while
// the gateway drains must each get either a refused connect or a whole answer, never a
// connection that succeeds and then breaks.
TEST(DrainE2E, SigtermNeverResetsAConnectionTheKernelAccepted) {
  TestDatabase db;
  GatewayProcess gw(db.url(), {{"OAKGATE_COLOUR", "green"}});
  std::atomic<bool> stop{false};
  std::atomic<long> answered{0}, refused{0}, broken{0}, during_drain{0};
  std::atomic<bool> draining{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&] {
      while (!stop.load()) {
        HttpConnection c(gw.port());
        if (!c.connected()) {
          refused.fetch_add(1);
          continue;
        }
        // A POST, as Nginx would forward one: nothing may retry it once it was sent.
        auto r = c.Request("POST", "/oauth/introspect",
                           {{"Content-Type", "application/x-www-form-urlencoded"}}, "token=x");
        if (!r) {
          broken.fetch_add(1);
        } else {
          answered.fetch_add(1);
          if (draining.load()) during_drain.fetch_add(1);
        }
      }
    });
  }
  ASSERT_TRUE(Eventually([&] { return answered.load() > 200; }, std::chrono::seconds(20)));
  draining.store(true);
  ASSERT_EQ(::kill(gw.pid(), SIGTERM), 0);
  // Until the listener is closed and a few refusals have been seen.
  EXPECT_TRUE(Eventually([&] { return refused.load() > 20; }, std::chrono::seconds(10)));
  stop.store(true);
  for (auto& t : clients) t.join();
  EXPECT_EQ(gw.Stop(std::chrono::seconds(30)), 0) << gw.Logs();
  std::printf("drain under connects: %ld answered (%ld after SIGTERM), %ld refused, %ld broken\n",
              answered.load(), during_drain.load(), refused.load(), broken.load());
  EXPECT_EQ(broken.load(), 0) << "connections the kernel accepted were reset by the drain";
  EXPECT_NE(gw.Logs().find("\"msg\":\"listener closed\""), std::string::npos) << gw.Logs();
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
  // Running but not ready: the schema is missing, so it does not listen (Nginx's connects
  // are refused and go to the other colour) and sends no READY=1 yet.
  GatewayProcess gw(db.url(), {{"OAKGATE_AUTO_MIGRATE", "0"}, {"NOTIFY_SOCKET", notify.path()}},
                    /*wait_ready=*/false);
  int port = gw.port();
  EXPECT_NE(gw.Logs().find("database_unavailable"), std::string::npos) << gw.Logs();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(HttpConnection(port).connected()) << "listening before /readyz would hold";
  }
  EXPECT_EQ(notify.Next(std::chrono::milliseconds(500)), "") << "READY=1 before /readyz holds";

  // The other colour (here: the CLI) applies the migrations; now it is ready and says so.
  auto migrated = RunOakgate({"migrate"}, gw.env());
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  std::string message = notify.Next(std::chrono::seconds(10));
  EXPECT_NE(message.find("READY=1"), std::string::npos) << message;
  EXPECT_EQ(Fetch(port, "GET", "/readyz").status, 200) << "listening, and ready, by READY=1";

  ASSERT_EQ(::kill(gw.pid(), SIGTERM), 0);
  EXPECT_NE(notify.Next(std::chrono::seconds(10)).find("STOPPING=1"), std::string::npos);
  EXPECT_EQ(gw.Stop(std::chrono::seconds(30)), 0) << gw.Logs();
}

}  // namespace
}  // namespace oakgate::test
