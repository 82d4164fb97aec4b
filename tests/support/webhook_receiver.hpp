#pragma once
// The webhook receiver of the e2e tests (tests/e2e/webhooks/receiver.mjs, on Node with the
// Standard Webhooks reference library) as a child process on a loopback port: it verifies
// every delivery's signature and records each one, and the test reads what arrived.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace oakgate::test {

// One request that reached the receiver (a line of its log).
struct Arrival {
  std::string label;       // the /hook/<label> it came to; empty for any other path
  std::string path;        // set for a request that was not a delivery
  std::string webhook_id;  // the webhook-id header
  std::string type;        // the body's "type"
  nlohmann::json data;     // the body's "data"
  int64_t arrived_ms = 0;  // wall clock, Unix milliseconds
  bool verified = false;   // the library accepted the signature with the label's secret
  std::string error;       // why not
  int answered = 0;        // the status the receiver gave
  nlohmann::json raw;
};

class WebhookReceiver {
 public:
  // Starts the receiver on a free port (or on `port`) and waits until it listens.
  explicit WebhookReceiver(int port = 0);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  int port() const { return port_; }
  // http://127.0.0.1:PORT/hook/<label>
  std::string Url(const std::string& label) const;
  // The secret the deliveries to <label> must be signed with (the POST's "secret").
  void SetSecret(const std::string& label, const std::string& secret);
  // How to answer <label> ("*": every label without its own): "ok", "fail" (500),
  // "stall" (`seconds`, then 200) or "redirect" (302 to `location`).
  void SetMode(const std::string& label, const std::string& mode, int seconds = 0,
               const std::string& location = "");
  // Everything that arrived so far, in order (across restarts).
  std::vector<Arrival> Arrivals() const;
  // Stops the process (SIGTERM): the port refuses connections until Start.
  void Stop();
  // Starts it again on the same port with the same secrets, modes and log.
  void Start();
  bool running() const { return pid_ > 0; }
  std::string Output() const;

 private:
  void Control(const nlohmann::json& change);
  int port_ = 0;
  int pid_ = -1;
  std::string dir_;
};

}  // namespace oakgate::test
