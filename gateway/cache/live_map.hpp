#pragma once
// The storage every invalidated cache shares: a bounded map whose entries expire, that
// serves and fills only while the invalidation bus is live, and keeps a fill only when no
// invalidation arrived since the caller read the generation (before its database read).
// When full of live entries it refuses new ones, so a flood cannot push the hot ones out.
// Each cache decides what to evict for each invalidation (EraseIf) and counts its lookups
// (`oakgate_cache_requests_total{cache,result}`).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/cache/invalidation.hpp"
#include "gateway/observe/metrics.hpp"

namespace oakgate::cache {

template <typename V>
class LiveMap {
 public:
  LiveMap(InvalidationBus& bus, size_t capacity, const std::string& name)
      : bus_(bus),
        capacity_(capacity == 0 ? 1 : capacity),
        hits_(Requests(name, "hit")),
        misses_(Requests(name, "miss")) {}

  // A copy of the live entry for `key` at `now`. A lookup that another one follows on a miss
  // (the reactor's, before the pool's) passes count_miss false, so each request counts once.
  std::optional<V> Get(std::string_view key, int64_t now, bool count_miss = true) {
    std::optional<V> out = Peek(key, now);
    Count(out.has_value(), count_miss);
    return out;
  }
  // The same, uncounted, for a cache that may still refuse what it found: it counts with
  // Count once it has decided.
  std::optional<V> Peek(std::string_view key, int64_t now) const {
    if (!bus_.live()) return std::nullopt;
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);  // no std::string built: the map's hash is transparent
    if (it == entries_.end() || it->second.expires_at <= now) return std::nullopt;
    return it->second.value;
  }
  void Count(bool hit, bool count_miss = true) {
    if (hit) {
      hits_.Inc();
    } else if (count_miss) {
      misses_.Inc();
    }
  }

  void Put(std::string key, V value, int64_t expires_at, int64_t now, uint64_t generation) {
    if (expires_at <= now) return;
    std::lock_guard lock(mutex_);
    if (!bus_.live() || bus_.generation() != generation) return;
    if (entries_.size() >= capacity_ && !entries_.count(key)) {
      std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires_at <= now; });
      if (entries_.size() >= capacity_) return;
    }
    entries_[std::move(key)] = Entry{std::move(value), expires_at};
  }

  template <typename Pred>  // Pred(const V&) -> bool
  void EraseIf(Pred pred) {
    std::lock_guard lock(mutex_);
    std::erase_if(entries_, [&](const auto& kv) { return pred(kv.second.value); });
  }
  void Erase(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
  }
  void Clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }
  size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }
  uint64_t generation() const { return bus_.generation(); }
  bool live() const { return bus_.live(); }

 private:
  static observe::Counter& Requests(const std::string& name, const char* result) {
    return observe::Metrics().GetCounter("oakgate_cache_requests_total",
                                         "In-process cache lookups by cache and result",
                                         {{"cache", name}, {"result", result}});
  }
  struct Entry {
    V value;
    int64_t expires_at;
  };
  InvalidationBus& bus_;
  const size_t capacity_;
  observe::Counter& hits_;
  observe::Counter& misses_;
  mutable std::mutex mutex_;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

}  // namespace oakgate::cache
