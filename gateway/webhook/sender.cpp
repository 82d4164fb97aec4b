#include "gateway/webhook/sender.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <mutex>

#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/observe/unexpected.hpp"
#include "gateway/util/errors.hpp"
#include "gateway/webhook/address_policy.hpp"
#include "gateway/webhook/signature.hpp"

namespace oakgate::webhook {
namespace {

// What the socket callback learnt: the address it refused, if any.
struct SocketCheck {
  bool allow_private = false;
  std::string refused;
};

curl_socket_t OpenSocket(void* clientp, curlsocktype, curl_sockaddr* address) {
  auto* check = static_cast<SocketCheck*>(clientp);
  if (!check->allow_private && !IsPublicAddress(&address->addr)) {
    char text[64] = "?";
    if (address->family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address->addr)->sin_addr, text,
                sizeof text);
    } else if (address->family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&address->addr)->sin6_addr, text,
                sizeof text);
    }
    check->refused = text;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

// The answer's body is not read: only its status counts. At most this much is taken in.
size_t Discard(char*, size_t size, size_t n, void* read) {
  auto* total = static_cast<size_t*>(read);
  *total += size * n;
  return *total > 64 * 1024 ? 0 : size * n;
}

observe::Counter& Outcomes(const std::string& type, const char* result) {
  return observe::Metrics().GetCounter(
      "oakgate_webhook_deliveries_total",
      "Webhook delivery attempts by event and result: succeeded, retry (failed, tried again "
      "later) or failed (given up after 24 h)",
      {{"event", type}, {"result", result}});
}

}  // namespace

CurlTransport::CurlTransport(bool allow_private, std::chrono::milliseconds timeout)
    : allow_private_(allow_private), timeout_(timeout) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

PostResult CurlTransport::Post(const std::string& url,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               const std::string& body) {
  PostResult out;
  // Checked again at every attempt: the endpoint's URL may have been written by an older
  // rule, and the scheme decides what libcurl may speak.
  if (auto bad = CheckUrl(url, allow_private_)) {
    out.error = *bad;
    return out;
  }
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) {
    out.error = "could not start a transfer";
    return out;
  }
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers)
    list = curl_slist_append(list, (name + ": " + value).c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> owned(list, &curl_slist_free_all);
  SocketCheck check{allow_private_, ""};
  size_t read = 0;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, allow_private_ ? "http,https" : "https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // CONTRACT §11: redirects not followed
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // a proxy's address would be the one checked
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_USERAGENT, "oakgate-webhooks");
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &check);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &read);
  CURLcode res = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status > 0) out.status = status;
  if (!check.refused.empty()) {
    out.error = "address not allowed: " + check.refused;
  } else if (res != CURLE_OK && res != CURLE_WRITE_ERROR) {
    out.error = curl_easy_strerror(res);
  } else if (!out.ok()) {
    out.error = "answered " + std::to_string(status);
  }
  return out;
}

int64_t RetryDelayMs(int64_t attempts, const SenderOptions& o, crypto::Random& random) {
  int64_t delay = o.retry_base_ms;
  for (int64_t i = 1; i < attempts && delay < o.retry_cap_ms; ++i) delay *= 2;
  delay = std::min(delay, o.retry_cap_ms);
  std::string b = random.Bytes(2);
  double unit =
      ((static_cast<unsigned char>(b[0]) << 8) | static_cast<unsigned char>(b[1])) / 65536.0;
  return static_cast<int64_t>(static_cast<double>(delay) * (0.75 + 0.5 * unit));
}

std::vector<std::pair<std::string, std::string>> SignedHeaders(
    const std::string& event_id, int64_t timestamp, const std::string& body,
    const std::vector<std::string>& keys) {
  std::string id = "msg_" + event_id;
  std::string signatures;
  for (const auto& key : keys) {
    if (!signatures.empty()) signatures += ' ';
    signatures += Sign(key, id, timestamp, body);
  }
  return {{"Content-Type", "application/json"},
          {"webhook-id", id},
          {"webhook-timestamp", std::to_string(timestamp)},
          {"webhook-signature", signatures}};
}

Sender::Sender(store::WebhookStore& store, const crypto::SecretBox& box, const util::Clock& clock,
               crypto::Random& random, Transport& transport, SenderOptions options)
    : store_(store),
      box_(box),
      clock_(clock),
      random_(random),
      transport_(transport),
      options_(options) {
  observe::Metrics().AddCallback("oakgate_webhook_queue_depth",
                                 "Webhook deliveries pending (due now or waiting to retry)",
                                 "gauge", [this] { return static_cast<double>(depth_.load()); });
  observe::Metrics().AddCallback("oakgate_webhook_oldest_undelivered_seconds",
                                 "Age of the oldest webhook delivery not yet delivered", "gauge",
                                 [this] { return static_cast<double>(oldest_.load()); });
  claimer_ = std::thread([this] { Claim(); });
  for (size_t i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
}

Sender::~Sender() { Stop(); }

void Sender::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  claim_cv_.notify_all();
  work_cv_.notify_all();
  if (claimer_.joinable()) claimer_.join();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  // What was claimed and not attempted goes back now: left leased, it would wait out the
  // lease (a minute) before another instance (the other colour of a switch) could send it.
  std::vector<std::string> unsent;
  for (const auto& d : queue_) unsent.push_back(d.id);
  queue_.clear();
  try {
    store_.Release(unsent);
  } catch (const util::ServiceUnavailable& e) {
    observe::Warn("webhook leases not released", {{"detail", e.what()}});
  } catch (...) {
    observe::ReportUnexpected("webhook_release", std::current_exception(), "", "");
  }
}

void Sender::Claim() {
  auto next_stats = std::chrono::steady_clock::time_point{};
  while (true) {
    std::vector<std::string> busy;
    int64_t free = 0;
    {
      std::unique_lock lock(mutex_);
      if (stopping_) return;
      slot_freed_ = false;
      free = static_cast<int64_t>(options_.workers) - static_cast<int64_t>(busy_ + queue_.size());
      for (const auto& [endpoint, n] : in_flight_) {
        if (n >= options_.per_endpoint) busy.push_back(endpoint);
      }
    }
    bool claimed_any = false;
    try {
      const int64_t now = clock_.NowMillis();
      if (free > 0) {
        auto due = store_.Claim(now, options_.lease_ms, free, busy);
        claimed_any = !due.empty();
        std::lock_guard lock(mutex_);
        for (auto& d : due) queue_.push_back(std::move(d));
      }
      if (std::chrono::steady_clock::now() >= next_stats) {
        auto q = store_.Queue(now);
        depth_.store(q.depth);
        oldest_.store(q.oldest_age_seconds);
        next_stats = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      }
    } catch (const util::ServiceUnavailable& e) {
      // The outbox keeps everything: claim again once the database answers.
      observe::Warn("webhook claim failed", {{"detail", e.what()}});
    } catch (...) {
      // Never the end of the process: a statement this binary's schema lacks, or any other
      // failure, is reported and the next claim tries again.
      observe::ReportUnexpected("webhook_claim", std::current_exception(), "", "");
    }
    if (claimed_any) work_cv_.notify_all();
    std::unique_lock lock(mutex_);
    // A full claim may leave more due: look again at once while workers are free.
    if (claimed_any && busy_ + queue_.size() < options_.workers) continue;
    // A worker that finished wakes it: waiting out the poll instead would cap an instance at
    // `workers` deliveries per poll interval however fast the endpoints answer.
    claim_cv_.wait_for(lock, options_.poll, [this] { return stopping_ || slot_freed_; });
  }
}

bool Sender::TakeNext(store::DueDelivery& out) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (in_flight_[it->endpoint_id] < options_.per_endpoint) {
      out = std::move(*it);
      queue_.erase(it);
      return true;
    }
  }
  return false;
}

void Sender::Work() {
  while (true) {
    store::DueDelivery d;
    {
      std::unique_lock lock(mutex_);
      work_cv_.wait(lock, [&] { return stopping_ || TakeNext(d); });
      if (stopping_ && d.id.empty()) return;
      ++busy_;
      ++in_flight_[d.endpoint_id];
    }
    Deliver(d);
    {
      std::lock_guard lock(mutex_);
      --busy_;
      if (--in_flight_[d.endpoint_id] == 0) in_flight_.erase(d.endpoint_id);
      slot_freed_ = true;
    }
    work_cv_.notify_all();
    claim_cv_.notify_all();
  }
}

void Sender::Deliver(const store::DueDelivery& d) {
  try {
    // Deleted or disabled since the claim: nothing is sent (its row went with the endpoint,
    // or it waits for the endpoint to be enabled again).
    if (!store_.EndpointLive(d.endpoint_id)) return;
    const int64_t now_ms = clock_.NowMillis();
    std::vector<std::string> keys;
    auto add_key = [&](const std::string& sealed) {
      auto secret = box_.Open(sealed);
      auto key = secret ? SecretKey(*secret) : std::nullopt;
      if (key) keys.push_back(*key);
    };
    add_key(d.secret_sealed);
    if (d.previous_sealed && d.previous_until && *d.previous_until * 1000 > now_ms) {
      add_key(*d.previous_sealed);
    }
    PostResult result;
    if (keys.empty()) {
      result.error = "the endpoint's secret cannot be opened with the gateway's secret";
    } else {
      result = transport_.Post(d.url, SignedHeaders(d.event_id, now_ms / 1000, d.payload, keys),
                               d.payload);
    }
    const int64_t done_ms = clock_.NowMillis();
    if (result.ok()) {
      store_.Succeeded(d, *result.status, done_ms);
      Outcomes(d.type, "succeeded").Inc();
      return;
    }
    int64_t next = done_ms + RetryDelayMs(d.attempts + 1, options_, random_);
    bool give_up = next > d.created_ms + options_.retry_window_ms;
    store_.Failed(d, result.status, result.error.substr(0, 500),
                  give_up ? std::nullopt : std::optional<int64_t>(next), done_ms,
                  options_.disable_after_ms);
    Outcomes(d.type, give_up ? "failed" : "retry").Inc();
  } catch (const util::ServiceUnavailable& e) {
    // Sent or not, the outcome is not written: the lease runs out and it is sent again
    // (at least once).
    observe::Warn("webhook outcome not recorded", {{"detail", e.what()}});
  } catch (...) {
    observe::ReportUnexpected("webhook_delivery", std::current_exception(), "", "");
  }
}

}  // namespace oakgate::webhook
