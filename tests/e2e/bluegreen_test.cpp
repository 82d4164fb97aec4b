// Blue/green behind a real Nginx (Debian's, on free loopback ports under its own prefix): both
// colours as plain processes on one database, switched by scripts/bluegreen --no-systemd
// under a steady load of mixed requests, POSTs included, from clients that never retry, with
// every response counted. Nginx is never reloaded: its upstream names both colours.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/eventually.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
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

struct Tally {
  std::mutex mutex;
  std::map<std::string, long> by_request;
  std::map<std::string, long> by_colour;
  long ok = 0;
  long failed = 0;
  long on_reused = 0;  // failures on a kept-alive client connection (counted in failed)
  std::vector<std::string> failures;
  void Fail(const std::string& what, bool reused = false) {
    std::lock_guard lock(mutex);
    ++failed;
    if (reused) ++on_reused;
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
        {"OAKGATE_LIVE_FILE", dir_ + "/live-colour"},
        {"OAKGATE_NGINX_URL", "http://127.0.0.1:" + std::to_string(ops_port_)},
        {"OAKGATE_ENV_DIR", dir_ + "/env"},
        {"OAKGATE_RUN_DIR", dir_ + "/run"},
        {"OAKGATE_BIN", OAKGATE_BINARY},
        {"OAKGATE_READY_TIMEOUT", "30"},
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
    nginx_conf_ = ReadFile(dir_ + "/nginx/oakgate.conf");
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
    // A resource server: client_credentials for itself, and it introspects tokens.
    auto rs = RunOakgate({"client", "create", "--id", "rs", "--name", "Resource server",
                          "--confidential", "--introspect", "--grant-types", "client_credentials"},
                         cli_env);
    ASSERT_EQ(rs.exit_code, 0) << rs.err;
    rs_auth_ = BasicAuth("rs", nlohmann::json::parse(rs.out)["client_secret"].get<std::string>());
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
    std::string text = ReadFile(dir_ + "/live-colour");
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
  static std::string nginx_conf_;
  static std::string rs_auth_;
};

TestDatabase* BlueGreenE2E::db_ = nullptr;
std::string BlueGreenE2E::dir_;
int BlueGreenE2E::nginx_port_ = 0;
int BlueGreenE2E::ops_port_ = 0;
int BlueGreenE2E::blue_port_ = 0;
int BlueGreenE2E::green_port_ = 0;
pid_t BlueGreenE2E::nginx_pid_ = -1;
std::map<std::string, std::string> BlueGreenE2E::script_env_;
std::string BlueGreenE2E::nginx_conf_;
std::string BlueGreenE2E::rs_auth_;

// The colour that answered, or "nginx" for an answer Nginx made itself.
std::string ColourOf(const HttpResponse& r) {
  return r.Header("x-oakgate-colour").value_or("nginx");
}

// One load client, as Go's, Node's or Python's HTTP clients behave for a POST: one keep-alive
// connection to Nginx from its own loopback source address, requests back to back with no
// pause, never a retry. A request without an answer is a failure; an answer that says
// Connection: close is honoured with a new connection. Each round: a client_credentials token,
// the introspection of that token, the login page, the metadata document.
void LoadClient(int nginx_port, const std::string& source, const std::string& rs_auth,
                const std::atomic<bool>& stop, Tally& tally) {
  std::unique_ptr<HttpConnection> conn;
  bool reused = false;
  const std::vector<std::pair<std::string, std::string>> form = {
      {"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", rs_auth}};
  // Sends one request; nullopt (counted) when it got no answer or an unexpected status.
  auto send = [&](const std::string& name, const std::string& method, const std::string& target,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::string& body, int expected) -> std::optional<HttpResponse> {
    if (!conn || !conn->connected()) {
      conn = std::make_unique<HttpConnection>(nginx_port, source);
      reused = false;
      if (!conn->connected()) {
        conn.reset();
        tally.Fail(name + ": connect to nginx failed");
        return std::nullopt;
      }
    }
    auto r = conn->Request(method, target, headers, body);
    bool was_reused = reused;
    reused = true;
    if (!r) {
      conn.reset();
      tally.Fail(name + ": no response (" + (was_reused ? "reused" : "new") + " connection)",
                 was_reused);
      return std::nullopt;
    }
    if (r->Header("connection") == "close") conn.reset();
    if (r->status != expected) {
      tally.Fail(name + ": unexpected " + std::to_string(r->status) + " from " + ColourOf(*r) +
                 ": " + r->body.substr(0, 200));
      return std::nullopt;
    }
    std::lock_guard lock(tally.mutex);
    ++tally.ok;
    ++tally.by_request[name];
    ++tally.by_colour[ColourOf(*r)];
    return r;
  };
  while (!stop.load()) {
    auto token = send("POST /oauth/token (client_credentials)", "POST", "/oauth/token", form,
                      "grant_type=client_credentials", 200);
    if (token) {
      std::string access;
      try {
        access = nlohmann::json::parse(token->body).at("access_token").get<std::string>();
      } catch (const std::exception&) {
        tally.Fail("POST /oauth/token: no access_token in " + token->body.substr(0, 200));
      }
      if (!access.empty()) {
        auto info = send("POST /oauth/introspect", "POST", "/oauth/introspect", form,
                         "token=" + UrlEncode(access), 200);
        if (info && info->body.find("\"active\":true") == std::string::npos) {
          tally.Fail("POST /oauth/introspect: token made a moment ago is not active (from " +
                     ColourOf(*info) + "): " + info->body.substr(0, 200));
        }
      }
    }
    send("GET /web/login", "GET", "/web/login", {}, "", 200);
    send("GET /.well-known/oauth-authorization-server", "GET",
         "/.well-known/oauth-authorization-server", {}, "", 200);
  }
}

// Bursts of extra concurrent requests, a few times a second: Nginx opens upstream connections
// for them, which then sit idle in its keep-alive cache (it reuses the most recent first), so
// a colour that starts to drain always has idle upstream connections Nginx may still pick.
void BurstClient(int nginx_port, const std::atomic<bool>& stop, Tally& tally) {
  while (!stop.load()) {
    std::vector<std::unique_ptr<HttpConnection>> conns;
    for (int i = 0; i < 8; ++i) {
      conns.push_back(std::make_unique<HttpConnection>(nginx_port, "127.0.0.90"));
      if (!conns.back()->connected()) {
        tally.Fail("burst: connect to nginx failed");
        conns.pop_back();
      }
    }
    for (auto& c : conns) c->SendRaw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    for (auto& c : conns) {
      auto r = c->Read();
      if (!r || r->status != 200) {
        tally.Fail(r ? "burst GET /healthz: unexpected " + std::to_string(r->status)
                     : std::string("burst GET /healthz: no response (new connection)"));
        continue;
      }
      std::lock_guard lock(tally.mutex);
      ++tally.ok;
      ++tally.by_request["GET /healthz (bursts of 8)"];
      ++tally.by_colour[ColourOf(*r)];
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// The idle connections the colour held when its last drain began, from its log line.
long IdleAtLastDrain(const std::string& log) {
  auto at = log.rfind("\"msg\":\"draining connections\"");
  if (at == std::string::npos) return -1;
  auto begin = log.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  std::string line = log.substr(begin, log.find('\n', at) - begin);
  auto idle = line.find("\"idle\":\"");
  if (idle == std::string::npos) return -1;
  return std::atol(line.c_str() + idle + 8);
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

TEST_F(BlueGreenE2E, NginxConfigurationNamesBothColoursAndNeverChangesWithTheLiveColour) {
  EXPECT_NE(nginx_conf_.find("server 127.0.0.1:" + std::to_string(blue_port_) + " max_fails=3"),
            std::string::npos)
      << nginx_conf_;
  EXPECT_NE(nginx_conf_.find("server 127.0.0.1:" + std::to_string(green_port_) + " max_fails=3"),
            std::string::npos)
      << nginx_conf_;
  EXPECT_EQ(nginx_conf_.find("include "), std::string::npos) << "no include names a colour";
}

TEST_F(BlueGreenE2E, SwitchingUnderLoadFailsNoRequestOfClientsThatDoNotRetry) {
  Tally tally;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  constexpr int kClients = 16;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back(LoadClient, nginx_port_, "127.0.0." + std::to_string(100 + i), rs_auth_,
                         std::cref(stop), std::ref(tally));
  }
  clients.emplace_back(BurstClient, nginx_port_, std::cref(stop), std::ref(tally));
  auto served = [&](const std::string& colour) {
    std::lock_guard lock(tally.mutex);
    return tally.by_colour[colour];
  };
  // Each switch happens under load that has reached the live colour.
  auto wait_served = [&](const std::string& colour, long at_least) {
    return Eventually([&] { return served(colour) >= at_least; }, std::chrono::seconds(20),
                      std::chrono::milliseconds(20));
  };
  std::string nginx_pid_before = ReadFile(dir_ + "/nginx/nginx.pid");

  auto started = Clock::now();
  std::string live = LiveColourInFile();
  EXPECT_EQ(live, "blue");
  int switches = 0;
  std::string problem;
  std::vector<std::string> took;
  std::vector<long> idle_at_drain;
  for (const char* command : {"switch", "switch", "rollback"}) {
    std::string target = live == "blue" ? "green" : "blue";
    if (!wait_served(live, served(live) + 500)) {
      problem = live + " is not serving the load";
      break;
    }
    auto r = Script({"--no-systemd", command});
    if (r.exit_code != 0) {
      problem = std::string(command) + " to " + target + " failed: " + r.output;
      break;
    }
    ++switches;
    auto at = r.output.find("the switch took ");
    took.push_back(at == std::string::npos
                       ? "?"
                       : r.output.substr(at + 16, r.output.find('\n', at) - at - 16));
    EXPECT_EQ(LiveColourInFile(), target);
    EXPECT_FALSE(ColourAnswers(live == "blue" ? blue_port_ : green_port_))
        << "the old colour is stopped after the switch";
    idle_at_drain.push_back(IdleAtLastDrain(ReadFile(dir_ + "/run/" + live + ".log")));
    live = target;
  }
  if (problem.empty() && !wait_served(live, served(live) + 500)) {
    problem = live + " is not serving the load";
  }
  stop.store(true);
  for (auto& t : clients) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_EQ(problem, "");
  EXPECT_EQ(switches, 3);
  EXPECT_EQ(ReadFile(dir_ + "/nginx/nginx.pid"), nginx_pid_before) << "the same Nginx throughout";
  std::string nginx_errors = ReadFile(dir_ + "/nginx/logs/error.log");
  EXPECT_EQ(nginx_errors.find("reconfiguring"), std::string::npos) << "Nginx was reloaded";

  std::printf(
      "blue/green under load (%d clients without retries, and bursts): %d switches in %.1f s\n",
      kClients, switches, seconds);
  for (size_t i = 0; i < took.size(); ++i) {
    std::printf("  switch %zu took %s; the old colour held %ld idle connection(s) as it drained\n",
                i + 1, took[i].c_str(), idle_at_drain[i]);
  }
  for (const auto& [k, v] : tally.by_request) std::printf("  %-45s %7ld\n", k.c_str(), v);
  for (const auto& [k, v] : tally.by_colour)
    std::printf("  answered by %-33s %7ld\n", k.c_str(), v);
  std::printf("  as expected %ld, failed %ld (%ld on a kept-alive connection)\n", tally.ok,
              tally.failed, tally.on_reused);
  for (const auto& f : tally.failures) std::printf("  FAILURE %s\n", f.c_str());
  EXPECT_EQ(tally.failed, 0);
  EXPECT_GT(tally.by_colour["blue"], 0);
  EXPECT_GT(tally.by_colour["green"], 0);
  EXPECT_EQ(tally.by_colour["nginx"], 0) << "every answer came from a colour";
  // The case that matters: Nginx held idle upstream connections to the colour as it drained.
  for (long idle : idle_at_drain) EXPECT_GE(idle, 1) << "no idle upstream connection at a drain";
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
  EXPECT_NE(r.output.find("database_unavailable"), std::string::npos)
      << "from its log: " << r.output;
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
