// Faults an on-call engineer meets (issue 6): the database stopped under steady load, many
// connections that send nothing, a client that reads its answers very slowly, and a flood
// that fills the worker queue. The gateway answers its contract, frees what it holds and
// keeps its memory bounded. (A database restart in the middle of refresh rotations is
// OAuthOutageE2E.RefreshUnderLoadWhileTheDatabaseStopsNeverSaysInvalidGrant.)
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/private_cluster.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr const char* kPassword = "faults-password-123";

// Resident memory of a process in KiB (VmRSS), 0 when unknown.
long ResidentKib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// Stops and joins threads however a test ends (an ASSERT or an exception leaves early).
struct Joiner {
  std::atomic<bool>& stop;
  std::vector<std::thread>& threads;
  ~Joiner() {
    stop = true;
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
  }
};

// Resident-memory bounds mean nothing under AddressSanitizer, whose quarantine keeps freed
// memory on purpose; the sanitizer build checks the behaviour and leaves the figures to gcc.
#ifdef OAKGATE_TEST_UNDER_ASAN
constexpr bool kMemoryBoundsApply = false;
#else
constexpr bool kMemoryBoundsApply = true;
#endif

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Everything a steady mix of clients needs: a user with a session, an OAuth client and an
// introspector, a management token and an API key for /v1/validate.
struct Fixture {
  TestClient app, rs;
  std::string access_token, api_key;
};

Fixture Prepare(GatewayProcess& gw, const std::string& db_url) {
  Fixture f;
  CreateUser(gw, "ops@example.com", kPassword);
  f.app = CreateClient(gw, "app", "https://app.example/cb",
                       {"--first-party", "--confidential", "--grant-types",
                        "authorization_code refresh_token client_credentials"});
  f.rs = CreateClient(gw, "rs", "",
                      {"--confidential", "--introspect", "--grant-types", "client_credentials"});
  CreateTestClient(gw.env(), "mgmt");
  std::string owner = CreateTestUser(gw.env(), "owner@example.com");
  f.access_token = IssueTestAccessToken(db_url, "mgmt", owner, "keys agents");
  auto agent = CallApi(gw.port(), "POST", "/api/v1/agents", f.access_token,
                       {{"name", "worker"}, {"rate_limit", 100000}});
  EXPECT_EQ(agent.status, 201) << agent.raw.body;
  std::string agent_id = agent.body.value("id", "");
  EXPECT_EQ(CallApi(gw.port(), "POST", "/api/v1/agents/" + agent_id + "/tools", f.access_token,
                    {{"name", "github"}, {"scopes", {"read"}}})
                .status,
            201);
  EXPECT_EQ(CallApi(gw.port(), "POST", "/api/v1/agents/" + agent_id + "/rules", f.access_token,
                    {{"tool", "github"}, {"scope", "read"}})
                .status,
            201);
  auto key = CallApi(gw.port(), "POST", "/api/v1/auth/api-keys", f.access_token,
                     {{"name", "k"}, {"agent_id", agent_id}});
  EXPECT_EQ(key.status, 201) << key.raw.body;
  f.api_key = key.body.value("key", "");
  return f;
}

// One request of each kind the gateway serves from the database; `what` names it.
struct Call {
  const char* what;
  std::function<HttpResponse()> send;
  int ok_status;
};

std::vector<Call> Calls(int port, const Fixture& f, const LoginForm& form) {
  json validate = {{"tool", "github"}, {"scope", "read"}};
  return {
      {"validate", [=] { return CallValidate(port, f.api_key, validate).raw; }, 200},
      {"api", [=] { return CallApi(port, "GET", "/api/v1/agents", f.access_token).raw; }, 200},
      {"token",
       [=] {
         return PostForm(port, "/oauth/token", {{"grant_type", "client_credentials"}},
                         {{"Authorization", BasicAuth(f.app.id, f.app.secret)}});
       },
       200},
      {"introspect", [=] { return IntrospectToken(port, f.rs, f.access_token); }, 200},
      {"revoke",
       [=] {
         return PostForm(port, "/oauth/revoke", {{"token", "oat_unknown"}},
                         {{"Authorization", BasicAuth(f.app.id, f.app.secret)}});
       },
       200},
      {"login", [=] { return PostLogin(port, form, "ops@example.com", kPassword); }, 303},
  };
}

TEST(FaultsE2E, DatabaseStoppedUnderLoadIs503EverywhereThenServesWithin5Seconds) {
  PrivateCluster pg;
  GatewayProcess gw(pg.url());
  int port = gw.port();
  Fixture f = Prepare(gw, pg.url());
  LoginForm form = FetchLoginForm(port);
  std::vector<Call> calls = Calls(port, f, form);
  for (const auto& c : calls) ASSERT_EQ(c.send().status, c.ok_status) << c.what;

  // Steady load of every kind while the database goes away and comes back. Every answer is
  // the normal one or the contract's 503; a 500, a 4xx or no answer at all is a failure.
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, unavailable{0};
  std::vector<std::thread> load;
  Joiner joiner{stop, load};
  for (size_t i = 0; i < calls.size(); ++i) {
    load.emplace_back([&, i] {
      while (!stop.load()) {
        auto started = Clock::now();
        HttpResponse r = calls[i].send();
        // statement_timeout (5 s) and connect_timeout (3 s) bound every request.
        EXPECT_LT(SecondsSince(started), 12.0) << calls[i].what << " hung";
        if (r.status == calls[i].ok_status) {
          ++ok;
        } else if (r.status == 503) {
          ++unavailable;
          EXPECT_TRUE(r.Header("retry-after")) << calls[i].what;
        } else {
          ADD_FAILURE() << calls[i].what << ": " << r.status << " " << r.body;
          return;
        }
      }
    });
  }
  auto wait_for = [&](std::atomic<int>& counter, int at_least) {
    auto deadline = Clock::now() + std::chrono::seconds(30);
    int start = counter.load();
    while (counter.load() < start + at_least && Clock::now() < deadline) {
      std::this_thread::yield();
    }
    return counter.load() >= start + at_least;
  };
  EXPECT_TRUE(wait_for(ok, 20)) << "load before the outage";
  ASSERT_TRUE(pg.Stop());
  EXPECT_TRUE(wait_for(unavailable, 20)) << "503s during the outage";

  // With the database down, each endpoint's own answer: JSON 503 with Retry-After.
  for (const auto& c : calls) {
    HttpResponse r = c.send();
    EXPECT_EQ(r.status, 503) << c.what << ": " << r.body;
    EXPECT_TRUE(r.Header("retry-after")) << c.what;
    if (std::string(c.what) != "login") {
      EXPECT_EQ(json::parse(r.body, nullptr, false).value("error", ""), "temporarily_unavailable")
          << c.what << ": " << r.body;
    }
  }
  EXPECT_EQ(Fetch(port, "GET", "/healthz").status, 200);
  EXPECT_EQ(Fetch(port, "GET", "/readyz").status, 503);

  // Back: every kind of request is served again within 5 seconds, without a restart.
  ASSERT_TRUE(pg.Start());
  auto back = Clock::now();
  for (const auto& c : calls) {
    while (c.send().status != c.ok_status && SecondsSince(back) < 30) {
    }
    EXPECT_LT(SecondsSince(back), 5.0) << c.what << " was not served again within 5 s";
  }
  EXPECT_TRUE(wait_for(ok, 20)) << "load after the outage";
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_EQ(Fetch(port, "GET", "/readyz").status, 200);
}

TEST(FaultsE2E, ManySilentConnectionsAreFreedByTheHeaderTimeout) {
  TestDatabase db;
  GatewayProcess gw(db.url(), {{"OAKGATE_HEADER_TIMEOUT", "2"}});
  // Half send nothing at all, half stop in the middle of their headers.
  constexpr int kConnections = 400;
  std::vector<std::unique_ptr<HttpConnection>> silent;
  for (int i = 0; i < kConnections; ++i) {
    silent.push_back(std::make_unique<HttpConnection>(gw.port()));
    ASSERT_TRUE(silent.back()->connected()) << i;
    if (i % 2) silent.back()->SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n");
  }
  // They hold nothing another client needs.
  for (int i = 0; i < 20; ++i) ASSERT_EQ(Fetch(gw.port(), "GET", "/healthz").status, 200);
  auto started = Clock::now();
  int closed = 0;
  for (auto& c : silent) closed += c->WaitClosed(std::chrono::seconds(15)) ? 1 : 0;
  EXPECT_EQ(closed, kConnections) << "the header timeout closes every one";
  EXPECT_LT(SecondsSince(started), 15.0);
  EXPECT_EQ(Fetch(gw.port(), "GET", "/healthz").status, 200);
}

// A raw connection with a small receive buffer, so the gateway's writes back up quickly.
int SlowSocket(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

TEST(FaultsE2E, ASlowReaderHoldsUpNobodyAndCostsBoundedMemory) {
  TestDatabase db;
  GatewayProcess gw(db.url());
  // Make /metrics a sizeable answer (every route has series by now).
  for (const char* path :
       {"/healthz", "/readyz", "/web/login", "/x", "/.well-known/oauth-authorization-server"}) {
    Fetch(gw.port(), "GET", path);
  }
  size_t one = Fetch(gw.port(), "GET", "/metrics").body.size();
  ASSERT_GT(one, 2000u);
  long rss_before = ResidentKib(gw.pid());

  // Three readers pipeline many requests each and read nothing for a while.
  // All answers held at once would be kReaders * kRequests * `one` bytes (about 60 MiB).
  constexpr int kReaders = 3, kRequests = 2000;
  std::string burst;
  for (int i = 0; i < kRequests; ++i) burst += "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  std::vector<int> readers;
  for (int i = 0; i < kReaders; ++i) {
    int fd = SlowSocket(gw.port());
    ASSERT_GE(fd, 0);
    // The send side may block once the gateway stops reading: write from a thread.
    readers.push_back(fd);
  }
  std::vector<std::thread> senders;
  std::atomic<bool> unused{false};
  Joiner joiner{unused, senders};
  struct Closer {
    std::vector<int>& fds;
    ~Closer() {
      for (int fd : fds) ::shutdown(fd, SHUT_RDWR);
    }
  } closer{readers};
  for (int fd : readers) {
    senders.emplace_back([fd, &burst] {
      size_t sent = 0;
      while (sent < burst.size()) {
        ssize_t n = ::send(fd, burst.data() + sent, burst.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
      }
    });
  }
  // Everyone else is served promptly meanwhile.
  for (int i = 0; i < 50; ++i) {
    auto started = Clock::now();
    try {
      EXPECT_EQ(Fetch(gw.port(), "GET", "/healthz").status, 200) << i;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "request " << i << " beside the slow readers: " << e.what();
      break;
    }
    EXPECT_LT(SecondsSince(started), 2.0) << "a slow reader held up another client";
  }
  long rss_stalled = ResidentKib(gw.pid());

  // Then they read, slowly, and each gets every answer, in order.
  for (int fd : readers) {
    std::string got;
    char buf[4096];
    size_t answers = 0;
    while (answers < kRequests) {
      ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
      size_t pos;
      while ((pos = got.find("HTTP/1.1 200")) != std::string::npos) {
        ++answers;
        got.erase(0, pos + 12);
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // the slowness itself
    }
    EXPECT_EQ(answers, static_cast<size_t>(kRequests)) << "every answer, in order";
  }
  for (auto& t : senders) t.join();
  for (int fd : readers) ::close(fd);
  EXPECT_EQ(Fetch(gw.port(), "GET", "/healthz").status, 200);
  if (kMemoryBoundsApply) {
    EXPECT_LT(rss_stalled - rss_before, 24 * 1024)
        << "answers to a reader that does not read are not all buffered (" << one << " bytes each)";
  }
}

TEST(FaultsE2E, AFloodThatFillsTheQueueIsShedWithBoundedMemory) {
  TestDatabase db;
  GatewayProcess gw(db.url(), {{"OAKGATE_DB_POOL", "2"}, {"OAKGATE_WORKER_QUEUE", "8"}});
  CreateUser(gw, "busy@example.com", kPassword);
  LoginForm form = FetchLoginForm(gw.port());
  std::string body = FormEncode({{"email", "busy@example.com"},
                                 {"password", "wrong-password"},
                                 {"csrf", form.csrf_token},
                                 {"return_to", "/"}});
  std::string request =
      "POST /web/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Cookie: " +
      form.csrf_cookie + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  long rss_before = ResidentKib(gw.pid());

  // 64 connections, each pipelining 30 scrypt-heavy logins, from addresses of their own.
  constexpr int kConnections = 64, kEach = 30;
  std::atomic<int> shed{0}, answered{0}, missing{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.emplace_back([&, i] {
      HttpConnection c(gw.port(), "127.0.5." + std::to_string(1 + i));
      std::string all;
      for (int k = 0; k < kEach; ++k) all += request;
      c.SendRaw(all);
      for (int k = 0; k < kEach; ++k) {
        auto r = c.Read(std::chrono::seconds(60));
        if (!r) {
          ++missing;
          return;
        }
        if (r->status == 503) {
          EXPECT_TRUE(r->Header("retry-after"));
          ++shed;
        } else {
          ++answered;
        }
      }
    });
  }
  // Memory-only work is answered meanwhile.
  EXPECT_EQ(Fetch(gw.port(), "GET", "/healthz").status, 200);
  long rss_peak = 0;
  for (int i = 0; i < 20; ++i) rss_peak = std::max(rss_peak, ResidentKib(gw.pid()));
  for (auto& t : clients) t.join();
  rss_peak = std::max(rss_peak, ResidentKib(gw.pid()));

  EXPECT_EQ(missing.load(), 0) << "every request gets an answer, shed or not";
  EXPECT_GT(shed.load(), kConnections * kEach / 2) << "most of the flood is shed at once";
  EXPECT_GE(answered.load(), 1);
  // Bounded: scrypt takes 32 MiB per hash, and no more than the pool's worth run at once.
  if (kMemoryBoundsApply) {
    EXPECT_LT(rss_peak - rss_before, 192 * 1024)
        << "KiB before " << rss_before << ", peak " << rss_peak;
  }
  EXPECT_EQ(PostLogin(gw.port(), FetchLoginForm(gw.port(), "", "127.0.6.1"), "busy@example.com",
                      kPassword, "", "127.0.6.1")
                .status,
            303);
}

}  // namespace
}  // namespace oakgate::test
