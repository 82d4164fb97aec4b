// Blue/green behind a real Nginx (Debian's, on free loopback ports under its own prefix): both
// colours as plain processes on one database, switched by scripts/bluegreen --no-systemd
// under a steady load of mixed requests, with every response counted.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kPassword = "correct horse battery staple";
constexpr const char* kSecret = "test-secret-0123456789abcdefghijklmnopqrstuvwxyz";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

struct Result {
  int exit_code = -1;
  std::string output;  // stderr after stdout
};

// One kind of request in the load, with the statuses it may answer.
struct LoadRequest {
  std::string name;
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::set<int> expected;
  bool fresh_connection = false;  // non-idempotent: never sent on a reused connection
};

struct Tally {
  std::mutex mutex;
  std::map<std::string, long> by_request;
  std::map<std::string, long> by_colour;
  long ok = 0;
  long stale_retries = 0;  // an idle keep-alive connection closed under a GET; retried
  std::vector<std::string> failures;
  void Fail(const std::string& what) {
    std::lock_guard lock(mutex);
    if (failures.size() < 50)
      failures.push_back(what);
    else
      failures.back() = "... and more";
  }
};

class BlueGreenE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    char dir[] = "/tmp/oakgate-bluegreen.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    ::chmod(dir, 0755);
    fs::create_directories(dir_ + "/env");
    nginx_port_ = FreePort();
    ops_port_ = FreePort();
    blue_port_ = FreePort();
    green_port_ = FreePort();
    script_env_ = {
        {"OAKGATE_BLUE_ADDR", "127.0.0.1:" + std::to_string(blue_port_)},
        {"OAKGATE_GREEN_ADDR", "127.0.0.1:" + std::to_string(green_port_)},
        {"OAKGATE_NGINX_LISTEN", "127.0.0.1:" + std::to_string(nginx_port_)},
        {"OAKGATE_NGINX_OPS_LISTEN", "127.0.0.1:" + std::to_string(ops_port_)},
        {"OAKGATE_NGINX_LIVE", dir_ + "/nginx/live-colour.conf"},
        {"OAKGATE_NGINX_PREFIX", dir_ + "/nginx"},
        {"OAKGATE_NGINX_CONF", dir_ + "/nginx/nginx.conf"},
        {"OAKGATE_NGINX_PID", dir_ + "/nginx/nginx.pid"},
        {"OAKGATE_NGINX_URL", "http://127.0.0.1:" + std::to_string(nginx_port_)},
        {"OAKGATE_ENV_DIR", dir_ + "/env"},
        {"OAKGATE_RUN_DIR", dir_ + "/run"},
        {"OAKGATE_BIN", OAKGATE_BINARY},
        {"OAKGATE_READY_TIMEOUT", "30"},
        {"OAKGATE_NGINX_WORKER_TIMEOUT", "30"},
        {"OAKGATE_STOP_TIMEOUT", "40"},
    };
    // What both colours share; Nginx on loopback is the one trusted proxy.
    WriteFile(dir_ + "/env/common.env",
              "# both colours\n"
              "OAKGATE_DATABASE_URL=" +
                  db_->url() +
                  "\n"
                  "OAKGATE_SECRET=" +
                  kSecret +
                  "\n"
                  "OAKGATE_ISSUER=http://127.0.0.1:" +
                  std::to_string(nginx_port_) +
                  "\n"
                  "OAKGATE_TEMPLATES_DIR=" +
                  std::string(OAKGATE_SOURCE_DIR) +
                  "/templates\n"
                  "OAKGATE_THREADS=2\n"
                  "OAKGATE_DB_POOL=4\n"
                  "OAKGATE_TRUSTED_PROXIES=127.0.0.1\n");
    WriteFile(dir_ + "/env/blue.env", "");
    WriteFile(dir_ + "/env/green.env", "");

    auto rendered = Script({"nginx-config", dir_ + "/nginx", "--standalone"});
    ASSERT_EQ(rendered.exit_code, 0) << rendered.output;
    auto blue = Script({"--no-systemd", "start", "blue"});
    ASSERT_EQ(blue.exit_code, 0) << blue.output;
    StartNginx();

    std::map<std::string, std::string> cli_env = {{"OAKGATE_DATABASE_URL", db_->url()},
                                                  {"OAKGATE_SECRET", kSecret}};
    for (int i = 0; i < 4; ++i) {
      auto r = RunOakgate({"user", "create", "--email", Email(i), "--password-stdin"}, cli_env,
                          std::string(kPassword) + "\n");
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  static void TearDownTestSuite() {
    Script({"--no-systemd", "stop", "blue"});
    Script({"--no-systemd", "stop", "green"});
    if (nginx_pid_ > 0) {
      ::kill(nginx_pid_, SIGTERM);
      int st = 0;
      ::waitpid(nginx_pid_, &st, 0);
    }
    std::error_code ec;
    if (!::getenv("OAKGATE_TEST_KEEP")) fs::remove_all(dir_, ec);
    delete db_;
  }

  static std::string Email(int i) { return "load" + std::to_string(i) + "@example.com"; }

  static Result Script(std::vector<std::string> args,
                       const std::map<std::string, std::string>& extra = {}) {
    args.insert(args.begin(), std::string(OAKGATE_SOURCE_DIR) + "/scripts/bluegreen");
    auto env = script_env_;
    for (const auto& [k, v] : extra) env[k] = v;
    auto r = RunProgram(args, env);
    return {r.exit_code, r.out + r.err};
  }

  static void StartNginx() {
    std::string prefix = dir_ + "/nginx";
    nginx_pid_ = ::fork();
    if (nginx_pid_ == 0) {
      int log = ::open((dir_ + "/nginx-stderr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(log, 1);
      ::dup2(log, 2);
      std::vector<std::string> argv = {"/usr/sbin/nginx",      "-p", prefix,       "-c",
                                       prefix + "/nginx.conf", "-g", "daemon off;"};
      std::vector<char*> a;
      for (auto& s : argv) a.push_back(s.data());
      a.push_back(nullptr);
      ::execv(a[0], a.data());
      ::_exit(127);
    }
    // Ready when it answers through to the live colour.
    auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      if (LiveColourThroughNginx() == "blue") return;
      int st = 0;
      if (::waitpid(nginx_pid_, &st, WNOHANG) == nginx_pid_) {
        nginx_pid_ = -1;
        FAIL() << "nginx exited: " << ReadFile(dir_ + "/nginx-stderr.log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "nginx did not answer: " << ReadFile(dir_ + "/nginx-stderr.log");
  }

  static std::string LiveColourThroughNginx() {
    HttpConnection c(nginx_port_);
    if (!c.connected()) return "";
    auto r = c.Request("GET", "/healthz", {{"Connection", "close"}});
    return r ? r->Header("x-oakgate-colour").value_or("") : "";
  }

  static std::string LiveColourInFile() {
    std::string text = ReadFile(dir_ + "/nginx/live-colour.conf");
    auto at = text.find("# colour: ");
    if (at == std::string::npos) return "";
    return text.substr(at + 10, text.find('\n', at) - at - 10);
  }

  static bool ColourAnswers(int port) {
    HttpConnection c(port);
    return c.connected();
  }

  static TestDatabase* db_;
  static std::string dir_;
  static int nginx_port_, ops_port_, blue_port_, green_port_;
  static pid_t nginx_pid_;
  static std::map<std::string, std::string> script_env_;
};

TestDatabase* BlueGreenE2E::db_ = nullptr;
std::string BlueGreenE2E::dir_;
int BlueGreenE2E::nginx_port_ = 0;
int BlueGreenE2E::ops_port_ = 0;
int BlueGreenE2E::blue_port_ = 0;
int BlueGreenE2E::green_port_ = 0;
pid_t BlueGreenE2E::nginx_pid_ = -1;
std::map<std::string, std::string> BlueGreenE2E::script_env_;

// One load client: a keep-alive connection to Nginx from its own loopback source address,
// going round the request list until told to stop.
void LoadClient(int nginx_port, const std::string& source, std::vector<LoadRequest> requests,
                const std::atomic<bool>& stop, Tally& tally) {
  std::unique_ptr<HttpConnection> conn;
  bool reused = false;
  size_t next = 0;
  while (!stop.load()) {
    const LoadRequest& req = requests[next++ % requests.size()];
    std::optional<HttpResponse> r;
    for (int attempt = 0; attempt < 2 && !r; ++attempt) {
      if (!conn || !conn->connected() || req.fresh_connection) {
        conn = std::make_unique<HttpConnection>(nginx_port, source);
        reused = false;
        if (!conn->connected()) {
          tally.Fail(req.name + ": connect to nginx failed");
          break;
        }
      }
      r = conn->Request(req.method, req.target, req.headers, req.body);
      bool was_reused = reused;
      reused = true;
      if (!r) {
        bool idempotent = req.method == "GET" || req.method == "HEAD";
        conn.reset();
        if (was_reused && idempotent && attempt == 0) {
          // RFC 9112 §9.3.1: a client may retry an idempotent request when a persistent
          // connection closes before any answer (Nginx's old workers close idle client
          // connections at a reload). Counted, and shown.
          std::lock_guard lock(tally.mutex);
          ++tally.stale_retries;
          continue;
        }
        tally.Fail(req.name + ": no response (" + (was_reused ? "reused" : "new") + " connection)");
        break;
      }
    }
    // A short pause leaves some CPU to the gateways and Nginx on a small shared machine.
    std::this_thread::sleep_for(std::chrono::microseconds(500));
    if (!r) continue;
    if (r->Header("connection") == "close") conn.reset();
    std::string colour = r->Header("x-oakgate-colour").value_or("nginx");
    std::lock_guard lock(tally.mutex);
    ++tally.by_request[req.name + " " + std::to_string(r->status)];
    if (!req.expected.count(r->status)) {
      if (tally.failures.size() < 50) {
        tally.failures.push_back(req.name + ": unexpected " + std::to_string(r->status) + " from " +
                                 colour + ": " + r->body.substr(0, 200));
      }
      continue;
    }
    ++tally.ok;
    ++tally.by_colour[colour];
  }
}

TEST_F(BlueGreenE2E, PublicSideHidesReadyzAndMetricsAndForwardsTheClient) {
  EXPECT_EQ(Fetch(nginx_port_, "GET", "/readyz").status, 404);
  EXPECT_EQ(Fetch(nginx_port_, "GET", "/metrics").status, 404);
  EXPECT_EQ(Fetch(nginx_port_, "GET", "/%72eadyz").status, 404) << "the normalised path counts";
  EXPECT_EQ(Fetch(ops_port_, "GET", "/readyz").status, 200) << "the loopback ops listener";
  auto health = Fetch(nginx_port_, "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.Header("x-request-id").value_or("").size(), 32u) << "generated by Nginx";
  auto echoed = Fetch(nginx_port_, "GET", "/healthz", {{"X-Request-Id", "client-chosen-id"}});
  EXPECT_EQ(echoed.Header("x-request-id"), "client-chosen-id");

  // Throttling sees the address Nginx forwarded: five failures from one source address lock
  // that (account, address) pair, and another address is not locked out.
  const std::string email = Email(3);
  LoginForm form = FetchLoginForm(nginx_port_, "/", "127.0.0.41");
  for (int i = 0; i < 5; ++i) {
    auto r = PostLogin(nginx_port_, form, email, "wrong", "", "127.0.0.41");
    ASSERT_EQ(r.status, 401) << r.body;
  }
  EXPECT_EQ(PostLogin(nginx_port_, form, email, "wrong", "", "127.0.0.41").status, 429);
  LoginForm other = FetchLoginForm(nginx_port_, "/", "127.0.0.42");
  EXPECT_EQ(PostLogin(nginx_port_, other, email, "wrong", "", "127.0.0.42").status, 401)
      << "the gateway must key throttling on the forwarded address, not on Nginx's";
}

TEST_F(BlueGreenE2E, SwitchingUnderLoadFailsNoRequest) {
  // A browser session made on one colour: the session lives in the shared database, so the
  // other colour knows it (and the CSRF key is the shared secret).
  std::string session = LoginSession(nginx_port_, Email(0), kPassword);

  auto requests_for = [&](int client) {
    LoginForm form = FetchLoginForm(nginx_port_, "/", "127.0.0." + std::to_string(100 + client));
    std::string bad_login = FormEncode({{"email", Email(1)},
                                        {"password", "wrong"},
                                        {"csrf", form.csrf_token},
                                        {"return_to", "/"}});
    std::string good_login = FormEncode({{"email", Email(2)},
                                         {"password", kPassword},
                                         {"csrf", form.csrf_token},
                                         {"return_to", "/"}});
    // Add new kinds of request here (token grants, introspection, ...) as they exist.
    std::vector<LoadRequest> list = {
        {"GET /healthz", "GET", "/healthz", {}, "", {200}},
        {"GET /web/login", "GET", "/web/login", {}, "", {200}},
        {"GET / (session, database)", "GET", "/", {{"Cookie", session}}, "", {200}},
        {"GET /readyz (public)", "GET", "/readyz", {}, "", {404}},
        {"GET /healthz", "GET", "/healthz", {}, "", {200}},
        {"GET / (session, database)", "GET", "/", {{"Cookie", session}}, "", {200}},
    };
    // scrypt (~200 ms, a few at a time) and the throttle tables: 401, then 429 once the
    // (account, address) pair is locked.
    // One client each, so scrypt does not set the pace of the whole load.
    std::vector<std::pair<std::string, std::string>> form_headers = {
        {"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", form.csrf_cookie}};
    if (client == 0) {
      // A successful login writes a session row: a non-idempotent write on either colour.
      list.push_back({"POST /web/login (right password)",
                      "POST",
                      "/web/login",
                      form_headers,
                      good_login,
                      {303},
                      true});
    } else if (client == 1) {
      list.push_back({"POST /web/login (wrong password)",
                      "POST",
                      "/web/login",
                      form_headers,
                      bad_login,
                      {401, 429},
                      true});
    }
    return list;
  };

  Tally tally;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back(LoadClient, nginx_port_, "127.0.0." + std::to_string(100 + i),
                         requests_for(i), std::cref(stop), std::ref(tally));
  }
  auto served = [&](const std::string& colour) {
    std::lock_guard lock(tally.mutex);
    return tally.by_colour[colour];
  };
  // Each switch happens under load that has reached the live colour.
  auto wait_served = [&](const std::string& colour, long at_least) {
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (served(colour) < at_least && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return served(colour) >= at_least;
  };

  auto started = Clock::now();
  std::string live = LiveColourInFile();
  EXPECT_EQ(live, "blue");
  int switches = 0;
  std::string problem;
  for (int round = 0; round < 3 && problem.empty(); ++round) {
    for (bool use_rollback : {false, true}) {
      std::string target = live == "blue" ? "green" : "blue";
      if (!wait_served(live, served(live) + 100)) {
        problem = live + " is not serving the load";
        break;
      }
      auto r =
          use_rollback ? Script({"--no-systemd", "rollback"}) : Script({"--no-systemd", "switch"});
      if (r.exit_code != 0) {
        problem = "switch to " + target + " failed: " + r.output;
        break;
      }
      ++switches;
      EXPECT_EQ(LiveColourInFile(), target);
      EXPECT_EQ(LiveColourThroughNginx(), target);
      EXPECT_FALSE(ColourAnswers(live == "blue" ? blue_port_ : green_port_))
          << "the old colour is stopped after the switch";
      live = target;
    }
  }
  if (problem.empty() && !wait_served(live, served(live) + 100)) {
    problem = live + " is not serving the load";
  }
  stop.store(true);
  for (auto& t : clients) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_EQ(problem, "");
  EXPECT_EQ(switches, 6);

  long total = 0;
  std::printf("blue/green under load: %d switches in %.1f s\n", switches, seconds);
  for (const auto& [k, v] : tally.by_request) {
    std::printf("  %-45s %7ld\n", k.c_str(), v);
    total += v;
  }
  for (const auto& [k, v] : tally.by_colour)
    std::printf("  answered by %-33s %7ld\n", k.c_str(), v);
  std::printf("  responses %ld, as expected %ld, failures %zu, idle keep-alive retries %ld\n",
              total, tally.ok, tally.failures.size(), tally.stale_retries);
  for (const auto& f : tally.failures) std::printf("  FAILURE %s\n", f.c_str());
  EXPECT_TRUE(tally.failures.empty());
  EXPECT_GT(tally.by_colour["blue"], 0);
  EXPECT_GT(tally.by_colour["green"], 0);
}

TEST_F(BlueGreenE2E, ASwitchToAColourThatIsNotReadyLeavesTheOldOneLive) {
  std::string live = LiveColourInFile();
  std::string idle = live == "blue" ? "green" : "blue";
  std::string env_file = dir_ + "/env/" + idle + ".env";

  // The idle colour points at a database that does not exist and never becomes ready.
  WriteFile(env_file,
            "OAKGATE_DATABASE_URL=postgresql://nobody@127.0.0.1:1/nothing\n"
            "OAKGATE_AUTO_MIGRATE=0\n");
  auto r = Script({"--no-systemd", "switch"}, {{"OAKGATE_READY_TIMEOUT", "4"}});
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("did not become ready"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("database_unavailable"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(live + " stays live"), std::string::npos) << r.output;
  EXPECT_EQ(LiveColourInFile(), live);
  EXPECT_EQ(LiveColourThroughNginx(), live);
  EXPECT_FALSE(ColourAnswers(idle == "blue" ? blue_port_ : green_port_))
      << "the colour that failed its readiness check is stopped";

  // With the default migrations on, the same colour exits; the switch says so.
  WriteFile(env_file, "OAKGATE_DATABASE_URL=postgresql://nobody@127.0.0.1:1/nothing\n");
  r = Script({"--no-systemd", "switch"});
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("exited before it was ready"), std::string::npos) << r.output;
  EXPECT_EQ(LiveColourThroughNginx(), live);

  // No binary at all.
  WriteFile(env_file, "");
  r = Script({"--no-systemd", "switch"},
             {{"OAKGATE_" + std::string(idle == "blue" ? "BLUE" : "GREEN") + "_BIN",
               "/nonexistent/oakgate"}});
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("no executable"), std::string::npos) << r.output;
  EXPECT_EQ(LiveColourInFile(), live);

  // The live colour served throughout and still does; status says so.
  auto health = Fetch(nginx_port_, "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.Header("x-oakgate-colour"), live);
  auto status = Script({"--no-systemd", "status"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("live: " + live), std::string::npos) << status.output;

  // Switching to the colour that is already live is refused.
  r = Script({"--no-systemd", "switch", live});
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("already live"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace oakgate::test
