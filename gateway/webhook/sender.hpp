#pragma once
// The webhook sender (CONTRACT §11): claims due deliveries from the outbox (sql/0015) with
// FOR UPDATE SKIP LOCKED and a lease, so every instance and both colours of a blue/green pair
// share the work without sending one twice at once, and posts them on its own threads with
// bounded concurrency overall and per endpoint. Nothing here runs on a request's thread: a
// slow or dead endpoint never slows /v1/validate. A delivery is sent at least once: one whose
// outcome could not be written is sent again once its lease runs out.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/crypto/random.hpp"
#include "gateway/crypto/secret_box.hpp"
#include "gateway/store/webhook_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::webhook {

// What one POST did: the HTTP status when an answer came, else why not.
struct PostResult {
  std::optional<int64_t> status;
  std::string error;
  bool ok() const { return status && *status >= 200 && *status < 300; }
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual PostResult Post(const std::string& url,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::string& body) = 0;
};

// libcurl: no redirects, TLS verified, no proxy, https only unless private addresses are
// allowed, a 10 s bound, and every resolved address checked before its socket is opened
// (CURLOPT_OPENSOCKETFUNCTION), so DNS rebinding cannot reach loopback or private ranges.
class CurlTransport : public Transport {
 public:
  CurlTransport(bool allow_private, std::chrono::milliseconds timeout);
  PostResult Post(const std::string& url,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::string& body) override;

 private:
  bool allow_private_;
  std::chrono::milliseconds timeout_;
};

struct SenderOptions {
  size_t workers = 8;       // concurrent deliveries of this instance
  size_t per_endpoint = 2;  // concurrent deliveries to one endpoint
  std::chrono::milliseconds poll{1000};
  int64_t retry_base_ms = 5000;
  int64_t retry_cap_ms = 3600 * 1000;
  int64_t retry_window_ms = 24LL * 3600 * 1000;       // then the delivery is failed
  int64_t disable_after_ms = 5LL * 24 * 3600 * 1000;  // failing every delivery that long
  int64_t lease_ms = 60000;  // longer than a worker may hold a delivery (see Run)
};

// The delay before retry number `attempts` (1 for the first retry): base * 2^(attempts-1),
// capped, times a jitter factor in [0.75, 1.25) drawn from `random`.
int64_t RetryDelayMs(int64_t attempts, const SenderOptions& o, crypto::Random& random);
// The headers of one attempt (Standard Webhooks), signed with every secret given.
std::vector<std::pair<std::string, std::string>> SignedHeaders(
    const std::string& event_id, int64_t timestamp, const std::string& body,
    const std::vector<std::string>& keys);

class Sender {
 public:
  Sender(store::WebhookStore& store, const crypto::SecretBox& box, const util::Clock& clock,
         crypto::Random& random, Transport& transport, SenderOptions options);
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;
  // Stops claiming, lets the attempts under way finish (each bounded by the transport's
  // timeout), joins, and releases what was claimed and not attempted, for any instance to
  // claim at once (if that fails, whoever claims it after its lease sends it).
  void Stop();

 private:
  void Claim();
  void Work();
  void Deliver(const store::DueDelivery& d);
  bool TakeNext(store::DueDelivery& out);  // with mutex_ held

  store::WebhookStore& store_;
  const crypto::SecretBox& box_;
  const util::Clock& clock_;
  crypto::Random& random_;
  Transport& transport_;
  SenderOptions options_;
  std::mutex mutex_;
  std::condition_variable work_cv_;
  std::condition_variable claim_cv_;
  std::deque<store::DueDelivery> queue_;     // claimed, waiting for a worker
  std::map<std::string, size_t> in_flight_;  // by endpoint
  size_t busy_ = 0;                          // deliveries being sent
  bool slot_freed_ = false;                  // a worker finished since the last claim
  bool stopping_ = false;
  std::atomic<int64_t> depth_{0};
  std::atomic<int64_t> oldest_{0};
  std::thread claimer_;
  std::vector<std::thread> workers_;
};

}  // namespace oakgate::webhook
