#pragma once
// Access tokens that introspected as inactive (unknown, expired or revoked), by SHA-256, so
// that scanning or a resource server retrying a dead token costs no database round trip.
// Only negative answers are kept, and they stay true: an access token that is inactive never
// becomes active again (revocation and expiry are final, and a new token is a new random
// value). So no invalidation is needed, and filling the cache only evicts other negatives.
// Bounded: the oldest entries go first; each lives for `ttl_seconds` at most.
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/observe/metrics.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::oauth {

class InactiveTokenCache {
 public:
  // `name` labels its metrics (the same class remembers unknown API key ids).
  InactiveTokenCache(size_t capacity, int64_t ttl_seconds, const util::Clock& clock,
                     const std::string& name = "inactive_access_tokens");
  // True when `token_hash` is known to be inactive (counted as a hit, else a miss). A lookup
  // that another one follows on a miss (the reactor's, before the pool's) counts hits only.
  bool Contains(std::string_view token_hash, bool count_miss = true);
  void Add(std::string_view token_hash);
  size_t size() const;

 private:
  const size_t capacity_;
  const int64_t ttl_;
  const util::Clock& clock_;
  observe::Counter& hits_;
  observe::Counter& misses_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int64_t> expiry_;  // hash -> expires at (unix seconds)
  std::deque<std::string> order_;                    // insertion order, for eviction
};

}  // namespace oakgate::oauth
