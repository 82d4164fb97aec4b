#pragma once
// API keys by key_id, with their agent's state, as the verification lookup returns them, so
// a key seen before is verified without the database (and, for introspection, on the
// reactor thread). The secret is still checked on every request against the stored hash.
// An entry lives a minute at most and never past the key's expiry; revocation, rotation,
// a changed agent and a disabled user arrive through the invalidation bus from every
// instance. Bounded: when full of live entries, new keys are simply not cached.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "gateway/cache/invalidation.hpp"
#include "gateway/cache/live_map.hpp"
#include "gateway/store/api_key_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::apikey {

class KeyCache {
 public:
  KeyCache(cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity,
           int64_t max_ttl_seconds);
  // The row as the database gave it, with `expired` evaluated against the clock now.
  // A lookup that another one follows on a miss (the reactor's, before the pool's) counts
  // hits only.
  std::optional<store::ApiKeyWithAgent> Find(std::string_view key_id, bool count_miss = true);
  // The same, else the row `load()` returns (a std::optional<store::ApiKeyWithAgent>), kept
  // unless an invalidation arrived while it was read.
  template <typename Load>
  std::optional<store::ApiKeyWithAgent> GetOrLoad(std::string_view key_id, Load&& load) {
    int64_t now = clock_.NowSeconds();
    bool loaded = false;
    auto out = keys_.GetOrLoad(
        key_id, now,
        [&] {
          loaded = true;
          return load();
        },
        [this](const store::ApiKeyWithAgent& row) { return LifetimeOf(row); });
    if (out && !loaded) Refresh(*out, now);
    return out;
  }
  size_t size() const { return keys_.size(); }

 private:
  void Evict(const cache::Invalidation& inv);
  // A cached row's `expired` was the database's when it was read: it is evaluated again.
  static void Refresh(store::ApiKeyWithAgent& row, int64_t now);
  cache::LiveMap<store::ApiKeyWithAgent>::Lifetime LifetimeOf(
      const store::ApiKeyWithAgent& row) const;
  cache::InvalidationBus& bus_;
  const util::Clock& clock_;
  const int64_t max_ttl_;
  cache::LiveMap<store::ApiKeyWithAgent> keys_;
};

}  // namespace oakgate::apikey
