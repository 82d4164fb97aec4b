#include "tests/support/gateway_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.hpp"

extern char** environ;

namespace oakgate::test {
namespace {

std::vector<std::string> BuildEnv(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    std::string name = kv.substr(0, kv.find('='));
    // Tests decide the gateway's configuration: nothing leaks in from the caller.
    if (name.rfind("OAKGATE_", 0) == 0 && name.rfind("OAKGATE_TEST_", 0) != 0) continue;
    if (!extra.count(name)) out.push_back(kv);
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& items) {
  std::vector<char*> out;
  for (auto& s : items) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

CommandResult RunOakgate(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env, const std::string& input) {
  auto other = env.find(std::string(kBinaryKey));
  std::vector<std::string> argv = {other == env.end() ? OAKGATE_BINARY : other->second};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, env, input);
}

CommandResult RunProgram(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env, const std::string& input) {
  char out_path[] = "/tmp/oakgate-cli-out.XXXXXX";
  char err_path[] = "/tmp/oakgate-cli-err.XXXXXX";
  int out_fd = ::mkstemp(out_path);
  int err_fd = ::mkstemp(err_path);
  int in_pipe[2];
  if (::pipe(in_pipe) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv_s = argv;
  auto envs = BuildEnv(env);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::close(in_pipe[1]);
    auto a = Pointers(argv_s);
    auto e = Pointers(envs);
    ::execve(a[0], a.data(), e.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  if (!input.empty()) {
    ssize_t unused = ::write(in_pipe[1], input.data(), input.size());
    (void)unused;
  }
  ::close(in_pipe[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  ::close(out_fd);
  ::close(err_fd);
  ::unlink(out_path);
  ::unlink(err_path);
  return r;
}

GatewayProcess::GatewayProcess(const std::string& database_url,
                               std::map<std::string, std::string> env, bool wait_ready) {
  // FreePort() gives the port back before the gateway binds it, so two suites starting at
  // once can be handed the same one: the second gateway then fails to bind while the first
  // answers its /readyz, and the suite talks to a gateway that goes away with the other
  // suite. A port we chose is chosen again until our own process says it is listening.
  bool port_chosen_here = !env.count("OAKGATE_LISTEN");
  for (int attempt = 0;; ++attempt) {
    port_ = FreePort();
    env_ = {{"OAKGATE_DATABASE_URL", database_url},
            {"OAKGATE_SECRET", "test-secret-0123456789abcdefghijklmnopqrstuvwxyz"},
            {"OAKGATE_LISTEN", "127.0.0.1:" + std::to_string(port_)},
            {"OAKGATE_ISSUER", "http://127.0.0.1:" + std::to_string(port_)},
            {"OAKGATE_TEMPLATES_DIR", std::string(OAKGATE_SOURCE_DIR) + "/templates"},
            {"OAKGATE_THREADS", "2"},
            {"OAKGATE_LOG_LEVEL", "info"}};
    for (auto& [k, v] : env) env_[k] = v;
    // A caller that chose the listen address (e.g. to put the port in an issuer) chose the
    // port.
    const std::string& listen = env_["OAKGATE_LISTEN"];
    port_ = std::stoi(listen.substr(listen.rfind(':') + 1));
    char log_path[] = "/tmp/oakgate-gateway-log.XXXXXX";
    int log_fd = ::mkstemp(log_path);
    log_path_ = log_path;
    auto envs = BuildEnv(env_);
    auto other = env_.find(std::string(kBinaryKey));
    std::vector<std::string> argv_s = {other == env_.end() ? OAKGATE_BINARY : other->second,
                                       "serve"};
    pid_ = ::fork();
    if (pid_ == 0) {
      int devnull = ::open("/dev/null", O_RDONLY);
      ::dup2(devnull, 0);
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
      auto a = Pointers(argv_s);
      auto e = Pointers(envs);
      ::execve(a[0], a.data(), e.data());
      ::_exit(127);
    }
    ::close(log_fd);
    bool answered = wait_ready ? WaitReady(200, std::chrono::seconds(30))
                               : WaitNotReady(std::chrono::seconds(30));
    // Not ready: it does not listen yet; its log says it waits.
    if (!wait_ready && answered) return;
    // Whoever answered, this process must be the one listening (or die trying).
    bool ours = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (answered && pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
      if (Logs().find("\"msg\":\"listening\"") != std::string::npos) {
        ours = true;
        break;
      }
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (answered && ours) return;
    std::string logs = Logs();
    Stop();
    ::unlink(log_path_.c_str());
    // Never listening: the port was taken (or the configuration is bad, which fails again).
    bool lost_port = logs.find("\"msg\":\"listening\"") == std::string::npos;
    if (lost_port && port_chosen_here && attempt < 3) continue;
    throw std::runtime_error(
        std::string(wait_ready ? "gateway did not become ready" : "gateway did not say it waits") +
        "; its output:\n" + logs);
  }
}

GatewayProcess::~GatewayProcess() {
  // A gateway that does not exit 0 on SIGTERM failed: a crash, a drain that hung, or a
  // sanitizer or leak report in the sanitizer build.
  bool running = pid_ > 0;
  int code = Stop();
  if (running && code != 0) {
    std::string logs = Logs();
    if (logs.size() > 4000) logs = logs.substr(logs.size() - 4000);
    ADD_FAILURE() << "the gateway exited with " << code << " on SIGTERM; its output ends:\n"
                  << logs;
  }
  ::unlink(log_path_.c_str());
}

std::string GatewayProcess::Logs() const { return ReadFile(log_path_); }

int GatewayProcess::Stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

bool GatewayProcess::WaitHealthy(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline && pid_ > 0) {
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return false;  // the process exited
    }
    HttpConnection conn(port_);
    if (conn.connected()) {
      auto r = conn.Request("GET", "/healthz");
      if (r && r->status == 200) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool GatewayProcess::WaitNotReady(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline && pid_ > 0) {
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (Logs().find("\"msg\":\"not ready") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool GatewayProcess::WaitReady(int status, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pid_ > 0) {
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return false;  // the process exited
      }
    }
    HttpConnection conn(port_);
    if (conn.connected()) {
      auto r = conn.Request("GET", "/readyz");
      if (r && r->status == status) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace oakgate::test
