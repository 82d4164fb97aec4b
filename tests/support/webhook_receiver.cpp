#include "tests/support/webhook_receiver.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.hpp"

extern char** environ;

namespace oakgate::test {
namespace {

const std::string kReceiverDir = std::string(OAKGATE_SOURCE_DIR) + "/tests/e2e/webhooks";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

WebhookReceiver::WebhookReceiver(int port) : port_(port) {
  if (!std::filesystem::exists(kReceiverDir + "/node_modules/standardwebhooks"))
    throw std::runtime_error("run `npm ci` in tests/e2e/webhooks (scripts/test does)");
  char dir[] = "/tmp/oakgate-webhook-receiver.XXXXXX";
  if (!::mkdtemp(dir)) throw std::runtime_error("mkdtemp failed");
  dir_ = dir;
  Start();
}

WebhookReceiver::~WebhookReceiver() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string WebhookReceiver::Url(const std::string& label) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/hook/" + label;
}

std::string WebhookReceiver::Output() const { return ReadFile(dir_ + "/output"); }

void WebhookReceiver::Start() {
  if (pid_ > 0) return;
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("RECEIVER_", 0) != 0) env_s.push_back(kv);
  }
  env_s.push_back("RECEIVER_PORT=" + std::to_string(port_));
  env_s.push_back("RECEIVER_LOG=" + dir_ + "/arrivals.jsonl");
  env_s.push_back("RECEIVER_STATE=" + dir_ + "/state.json");
  std::vector<char*> envp;
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string node = "node", script = "receiver.mjs";
  char* argv[] = {node.data(), script.data(), nullptr};
  std::string out_path = dir_ + "/output";
  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_ = ::fork();
  if (pid_ == 0) {
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    if (::chdir(kReceiverDir.c_str()) != 0) ::_exit(126);
    ::execvpe(argv[0], argv, envp.data());
    ::_exit(127);
  }
  ::close(out_fd);
  // It prints {"listening": PORT} once the port is bound.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::istringstream lines(Output());
    std::string line;
    while (std::getline(lines, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("listening")) {
        port_ = j["listening"].get<int>();
        return;
      }
    }
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the webhook receiver exited: " + Output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop();
  throw std::runtime_error("the webhook receiver did not listen: " + Output());
}

void WebhookReceiver::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int st = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &st, 0);
  pid_ = -1;
}

void WebhookReceiver::Control(const nlohmann::json& change) {
  // Sent raw: Request() records what it sends as the gateway's traffic for the OpenAPI check.
  HttpConnection conn(port_);
  if (!conn.connected()) throw std::runtime_error("cannot connect to the webhook receiver");
  std::string body = change.dump();
  conn.SendRaw(
      "POST /control HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  auto r = conn.Read();
  if (!r || r->status != 200)
    throw std::runtime_error("the receiver's /control failed: " + (r ? r->body : Output()));
}

void WebhookReceiver::SetSecret(const std::string& label, const std::string& secret) {
  Control({{"secrets", {{label, secret}}}});
}

void WebhookReceiver::SetMode(const std::string& label, const std::string& mode, int seconds,
                              const std::string& location) {
  Control({{"modes", {{label, {{"mode", mode}, {"seconds", seconds}, {"location", location}}}}}});
}

std::vector<Arrival> WebhookReceiver::Arrivals() const {
  std::vector<Arrival> out;
  std::istringstream lines(ReadFile(dir_ + "/arrivals.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;  // a line being written
    Arrival a;
    a.label = j.value("label", "");
    a.path = j.value("path", "");
    a.webhook_id = j.value("webhook_id", "");
    if (j.contains("type") && j["type"].is_string()) a.type = j["type"];
    if (j.contains("data")) a.data = j["data"];
    a.arrived_ms = j.value("arrived_ms", int64_t{0});
    a.verified = j.value("verified", false);
    if (j.contains("error") && j["error"].is_string()) a.error = j["error"];
    a.answered = j.value("answered", 0);
    a.raw = std::move(j);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace oakgate::test
