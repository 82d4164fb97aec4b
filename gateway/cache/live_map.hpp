#pragma once
// The storage every invalidated cache shares: a bounded map whose entries expire, that
// serves and fills only while the invalidation bus is live, and keeps a fill only when no
// invalidation arrived since the fill began (before its database read). GetOrLoad is the one
// way to read through it; a Fill, for the rare caller that decides only after the read
// whether to keep it, carries the bus generation so that no caller handles it.
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
#include <utility>

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

  // How long a value read from the database may be kept: until `expires_at`, reckoned at
  // `now` (both Unix seconds).
  struct Lifetime {
    int64_t expires_at = 0;
    int64_t now = 0;
  };

  // A fill begun before a database read. Keep stores what the read returned unless an
  // invalidation arrived since the fill began, or the bus was not live meanwhile: a row read
  // just before a change is never kept after the change was seen (InvalidationBus::Publish
  // bumps the generation before and after the caches evict).
  class Fill {
   public:
    void Keep(std::string key, V value, Lifetime lifetime) {
      map_->Put(std::move(key), std::move(value), lifetime, generation_);
    }

   private:
    friend class LiveMap;
    explicit Fill(LiveMap& map) : map_(&map), generation_(map.bus_.generation()) {}
    LiveMap* map_;
    uint64_t generation_;
  };
  // Begin before the database read whose result may be kept.
  Fill BeginFill() { return Fill(*this); }

  // The live entry for `key` that `usable` accepts (counted a hit), else what `load()` returns
  // (a std::optional<V>, counted a miss unless `count_miss` is false), kept for
  // `lifetime(value)` when it holds a value. `load` runs without the map's lock held.
  template <typename Load, typename LifetimeOf, typename Usable>
  std::optional<V> GetOrLoad(std::string_view key, int64_t now, Load&& load, LifetimeOf&& lifetime,
                             Usable&& usable, bool count_miss = true) {
    std::optional<V> found = Peek(key, now);
    if (found && usable(*found)) {
      Count(true);
      return found;
    }
    Count(false, count_miss);
    Fill fill = BeginFill();
    std::optional<V> loaded = load();
    if (loaded) fill.Keep(std::string(key), *loaded, lifetime(*loaded));
    return loaded;
  }
  template <typename Load, typename LifetimeOf>
  std::optional<V> GetOrLoad(std::string_view key, int64_t now, Load&& load,
                             LifetimeOf&& lifetime) {
    return GetOrLoad(key, now, std::forward<Load>(load), std::forward<LifetimeOf>(lifetime),
                     [](const V&) { return true; });
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
  bool live() const { return bus_.live(); }

 private:
  void Put(std::string key, V value, Lifetime lifetime, uint64_t generation) {
    const int64_t now = lifetime.now;
    if (lifetime.expires_at <= now) return;
    std::lock_guard lock(mutex_);
    if (!bus_.live() || bus_.generation() != generation) return;
    if (entries_.size() >= capacity_ && !entries_.count(key)) {
      std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires_at <= now; });
      if (entries_.size() >= capacity_) return;
    }
    entries_[std::move(key)] = Entry{std::move(value), lifetime.expires_at};
  }

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
