#pragma once
// Live access tokens by SHA-256, with the introspection answer already rendered, so a
// resource server asking again about a token it holds is answered from memory (on the
// reactor thread). An entry lives no longer than its token, nor than `max_ttl_seconds`
// (the family's own expiry and a user being disabled are not in the row: they arrive as
// invalidations, and the cap bounds what a missed one could cost). Revocation of the token
// or its family, disabling its user, deleting its client and changing resources arrive
// through the invalidation bus from every instance.
// Bounded: when full of live entries, new ones are not cached (an attacker holding many
// valid tokens cannot push out the hot ones).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/cache/invalidation.hpp"
#include "gateway/cache/live_map.hpp"
#include "gateway/oauth/introspection_types.hpp"
#include "gateway/store/token_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::oauth {

struct CachedToken {
  Introspection answer;  // active, with `rendered` set
  int64_t family_id = 0;
  std::string client_id;
  std::string user_id;  // "" for client credentials
  bool audience_bound = false;
  std::vector<std::string> introspectors;  // who may see it, when audience-bound
  int64_t expires_at = 0;
};

class ActiveTokenCache {
 public:
  ActiveTokenCache(cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity,
                   int64_t max_ttl_seconds);
  // The entry for `token_hash` that `caller_id` may see, or null.
  // A lookup that another one follows on a miss (the reactor's, before the pool's) counts
  // hits only.
  std::shared_ptr<const CachedToken> Find(std::string_view token_hash, std::string_view caller_id,
                                          bool count_miss = true);
  // The same, else the entry `load()` returns (a std::optional<CachedToken>; nullopt when the
  // token is not live), kept unless an invalidation arrived while it was read. The caller
  // checks whether `caller_id` may see a loaded entry.
  template <typename Load>
  std::shared_ptr<const CachedToken> GetOrLoad(std::string_view token_hash,
                                               std::string_view caller_id, Load&& load) {
    auto found = tokens_.GetOrLoad(
        token_hash, clock_.NowSeconds(),
        [&]() -> std::optional<Entry> {
          std::optional<CachedToken> loaded = load();
          if (!loaded) return std::nullopt;
          return Share(std::move(*loaded));
        },
        [this](const Entry& e) {
          return cache::LiveMap<Entry>::Lifetime{e->expires_at, clock_.NowSeconds()};
        },
        [&](const Entry& e) { return MaySee(*e, caller_id); });
    return found ? *found : nullptr;
  }
  size_t size() const { return tokens_.size(); }
  // RFC 7662 §2.2: a token bound to resources is seen only by their introspecting clients.
  static bool MaySee(const CachedToken& token, std::string_view caller_id);

 private:
  using Entry = std::shared_ptr<const CachedToken>;
  // The entry to keep: no longer than the token, nor than `max_ttl_seconds` from now.
  Entry Share(CachedToken entry) const;
  void Evict(const cache::Invalidation& inv);
  cache::InvalidationBus& bus_;
  const util::Clock& clock_;
  const int64_t max_ttl_;
  cache::LiveMap<std::shared_ptr<const CachedToken>> tokens_;
};

}  // namespace oakgate::oauth
