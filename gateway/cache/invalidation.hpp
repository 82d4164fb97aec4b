#pragma once
// Cache invalidations shared by every instance on one database. PostgreSQL triggers
// (sql/0004_cache_invalidation.sql) `NOTIFY oakgate_cache` with a payload naming what
// changed; a listener (store/pg/pg_listener.hpp) hands each payload to the bus, and the bus
// tells every cache. While the listener is not connected the bus is not live: caches must
// then neither serve nor fill, since changes could go unseen.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oakgate::cache {

inline constexpr std::string_view kChannel = "oakgate_cache";

enum class Subject {
  kFamily,
  kUser,
  kClient,
  kKey,
  kAgent,
  kOrg,
  kApproval,
  kResources,
  kAll,
  kSync
};

struct Invalidation {
  Subject subject = Subject::kAll;
  std::string id;  // family id, user uuid, client id, key id, agent or organization uuid,
                   // or sync marker
};

// "family:42", "user:<uuid>", "client:<id>", "key:<id>", "agent:<uuid>", "org:<uuid>" (its
// limits changed, or it was deleted), "approval:<uuid>" (it was decided or used: no cache, but
// agents waiting on it are told), "resources", "sync:<marker>"; anything else is nullopt (and a
// careful listener drops every cache).
std::optional<Invalidation> ParseInvalidation(std::string_view payload);

class InvalidationBus {
 public:
  using Subscriber = std::function<void(const Invalidation&)>;
  // Sends `payload` on the channel from a worker's database connection (NOTIFY).
  using Notifier = std::function<void(const std::string& payload)>;

  InvalidationBus();

  // Subscribers are added at start-up, before the listener runs; each is called on the
  // listener thread and must not block.
  void Subscribe(Subscriber s);

  // True while the listener is connected and listening: caches may serve and fill.
  bool live() const { return live_.load(std::memory_order_acquire); }
  // Bumped on every invalidation and on every drop: a cache fills only when the generation
  // it read before asking the database is still current, so a row read just before a change
  // cannot be cached after the change was seen.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // From the listener.
  void Deliver(std::string_view payload);
  void SetLive(bool live);  // going down or coming up drops every cache

  // Called after a request that may have changed what caches hold, on its worker thread:
  // sends a marker through the database and waits until this instance's listener has seen
  // it, so every notification committed before is applied before the response goes out
  // (read-your-writes on this instance). Waits at most `bound`; then drops every cache.
  void Sync(const Notifier& notify, std::chrono::milliseconds bound);

  int64_t reconnects() const { return reconnects_.load(); }

 private:
  void Publish(const Invalidation& inv);
  std::vector<Subscriber> subscribers_;
  std::atomic<bool> live_{false};
  std::atomic<uint64_t> generation_{1};
  std::atomic<int64_t> reconnects_{0};
  std::string instance_;  // random, so markers of other instances are ignored
  std::mutex sync_mutex_;
  std::condition_variable sync_cv_;
  uint64_t next_marker_ = 0;
  uint64_t seen_marker_ = 0;
};

}  // namespace oakgate::cache
