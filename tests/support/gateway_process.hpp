#pragma once
// The real oakgate binary as a child process: `serve` on a free loopback port, and one-shot
// CLI commands.
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace oakgate::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the program argv[0] (a path) with `env` added to the environment and `input` on
// stdin. The caller's OAKGATE_* variables (other than OAKGATE_TEST_*) are not passed on.
CommandResult RunProgram(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env,
                         const std::string& input = "");

// In the `env` of RunOakgate and GatewayProcess: run this binary instead of the one built
// with the tests (the previous release, for the migration test).
inline constexpr std::string_view kBinaryKey = "OAKGATE_TEST_BINARY";

// Runs `oakgate ARGS...` with `env` added to the environment and `input` on stdin.
CommandResult RunOakgate(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env,
                         const std::string& input = "");

int FreePort();

class GatewayProcess {
 public:
  // Starts `oakgate serve` against `database_url` and waits until /readyz answers 200 (with
  // wait_ready false: until it logs that it is not ready, so such a gateway can be watched;
  // it listens only once ready).
  GatewayProcess(const std::string& database_url, std::map<std::string, std::string> env = {},
                 bool wait_ready = true);
  ~GatewayProcess();
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  int port() const { return port_; }
  int pid() const { return pid_; }
  const std::map<std::string, std::string>& env() const { return env_; }
  // Everything the process wrote to stdout and stderr so far.
  std::string Logs() const;
  // Sends SIGTERM and waits for the exit code (-1 on timeout, then SIGKILL).
  int Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Polls /healthz until it answers 200 or the timeout passes.
  bool WaitHealthy(std::chrono::milliseconds timeout);
  // Until the process logs that it waits to be ready (it does not listen meanwhile).
  bool WaitNotReady(std::chrono::milliseconds timeout);
  // Polls /readyz until it answers `status` or the timeout passes.
  bool WaitReady(int status = 200, std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  int port_ = 0;
  int pid_ = -1;
  std::string log_path_;
  std::map<std::string, std::string> env_;
};

}  // namespace oakgate::test
