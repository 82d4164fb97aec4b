#include "gateway/cache/invalidation.hpp"

#include "gateway/crypto/random.hpp"
#include "gateway/observe/metrics.hpp"

namespace oakgate::cache {
namespace {

observe::Counter& Received() {
  static observe::Counter& c = observe::Metrics().GetCounter(
      "oakgate_cache_invalidations_total",
      "Cache invalidations received from the database (every instance's changes)");
  return c;
}

observe::Counter& SyncTimeouts() {
  static observe::Counter& c = observe::Metrics().GetCounter(
      "oakgate_cache_sync_timeouts_total",
      "Writes whose invalidations were not seen in time, so every cache was dropped");
  return c;
}

}  // namespace

std::optional<Invalidation> ParseInvalidation(std::string_view payload) {
  if (payload == "resources") return Invalidation{Subject::kResources, ""};
  if (payload == "all") return Invalidation{Subject::kAll, ""};
  auto colon = payload.find(':');
  if (colon == std::string_view::npos || colon + 1 >= payload.size()) return std::nullopt;
  std::string_view kind = payload.substr(0, colon);
  std::string id(payload.substr(colon + 1));
  if (id.size() > 256) return std::nullopt;
  if (kind == "family") return Invalidation{Subject::kFamily, id};
  if (kind == "user") return Invalidation{Subject::kUser, id};
  if (kind == "client") return Invalidation{Subject::kClient, id};
  if (kind == "key") return Invalidation{Subject::kKey, id};
  if (kind == "agent") return Invalidation{Subject::kAgent, id};
  if (kind == "org") return Invalidation{Subject::kOrg, id};
  if (kind == "approval") return Invalidation{Subject::kApproval, id};
  if (kind == "sync") return Invalidation{Subject::kSync, id};
  return std::nullopt;
}

InvalidationBus::InvalidationBus() : instance_(crypto::RandomToken(9)) {}

void InvalidationBus::Subscribe(Subscriber s) { subscribers_.push_back(std::move(s)); }

void InvalidationBus::Publish(const Invalidation& inv) {
  // Bumped before and after: a fill that read the database before this change either sees
  // the new generation or lands before the eviction below, which then removes it.
  generation_.fetch_add(1, std::memory_order_acq_rel);
  for (const auto& s : subscribers_) s(inv);
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

void InvalidationBus::Deliver(std::string_view payload) {
  auto inv = ParseInvalidation(payload);
  if (!inv) {
    Publish(Invalidation{Subject::kAll, ""});  // unknown: forget everything rather than guess
    return;
  }
  if (inv->subject == Subject::kSync) {
    std::string_view id = inv->id;
    if (id.size() <= instance_.size() + 1 || id.substr(0, instance_.size()) != instance_ ||
        id[instance_.size()] != '.') {
      return;  // another instance's marker
    }
    uint64_t n = 0;
    for (char c : id.substr(instance_.size() + 1)) {
      if (c < '0' || c > '9') return;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    std::lock_guard lock(sync_mutex_);
    // Markers are numbered after their request's write committed, so seeing marker n means
    // every write before any marker up to n has been seen too.
    if (n > seen_marker_) seen_marker_ = n;
    sync_cv_.notify_all();
    return;
  }
  Received().Inc();
  Publish(*inv);
}

void InvalidationBus::SetLive(bool live) {
  bool was = live_.exchange(false, std::memory_order_acq_rel);
  Publish(Invalidation{Subject::kAll, ""});
  if (live) {
    if (!was) reconnects_.fetch_add(1);
    live_.store(true, std::memory_order_release);
  }
  sync_cv_.notify_all();
}

void InvalidationBus::Sync(const Notifier& notify, std::chrono::milliseconds bound) {
  if (!live()) return;  // nothing is cached while the listener is down
  uint64_t n;
  {
    std::lock_guard lock(sync_mutex_);
    n = ++next_marker_;
  }
  bool seen = false;
  try {
    notify("sync:" + instance_ + "." + std::to_string(n));
    std::unique_lock lock(sync_mutex_);
    seen = sync_cv_.wait_for(lock, bound, [&] { return seen_marker_ >= n || !live(); });
  } catch (const std::exception&) {
    seen = false;
  }
  if (!seen) {
    SyncTimeouts().Inc();
    Publish(Invalidation{Subject::kAll, ""});
  }
}

}  // namespace oakgate::cache
