#include "gateway/apikey/key_cache.hpp"

#include <algorithm>

#include "gateway/observe/metrics.hpp"

namespace oakgate::apikey {

KeyCache::KeyCache(cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity,
                   int64_t max_ttl_seconds)
    : bus_(bus), clock_(clock), capacity_(capacity), max_ttl_(max_ttl_seconds) {
  bus_.Subscribe([this](const cache::Invalidation& inv) { Evict(inv); });
}

std::optional<store::ApiKeyWithAgent> KeyCache::Find(std::string_view key_id, bool count_miss) {
  static observe::Counter& hits = observe::Metrics().GetCounter(
      "oakgate_cache_requests_total", "In-process cache lookups by cache and result",
      {{"cache", "api_keys"}, {"result", "hit"}});
  static observe::Counter& misses = observe::Metrics().GetCounter(
      "oakgate_cache_requests_total", "In-process cache lookups by cache and result",
      {{"cache", "api_keys"}, {"result", "miss"}});
  std::optional<store::ApiKeyWithAgent> out;
  int64_t now = clock_.NowSeconds();
  if (bus_.live()) {
    std::lock_guard lock(mutex_);
    auto it = keys_.find(std::string(key_id));
    if (it != keys_.end() && it->second.cached_until > now) out = it->second.row;
  }
  if (out) out->key.expired = out->key.expires_at && *out->key.expires_at <= now;
  if (out) {
    hits.Inc();
  } else if (count_miss) {
    misses.Inc();
  }
  return out;
}

void KeyCache::Put(const store::ApiKeyWithAgent& row, uint64_t generation) {
  int64_t now = clock_.NowSeconds();
  int64_t until = now + max_ttl_;
  // Past its expiry the key must be re-read (its answer changes from valid to expired).
  if (row.key.expires_at && *row.key.expires_at > now) until = std::min(until, *row.key.expires_at);
  std::lock_guard lock(mutex_);
  if (!bus_.live() || bus_.generation() != generation) return;
  if (keys_.size() >= capacity_ && !keys_.count(row.key.key_id)) {
    std::erase_if(keys_, [now](const auto& kv) { return kv.second.cached_until <= now; });
    if (keys_.size() >= capacity_) return;
  }
  keys_[row.key.key_id] = Entry{row, until};
}

size_t KeyCache::size() const {
  std::lock_guard lock(mutex_);
  return keys_.size();
}

void KeyCache::Evict(const cache::Invalidation& inv) {
  using cache::Subject;
  std::lock_guard lock(mutex_);
  switch (inv.subject) {
    case Subject::kAll:
      keys_.clear();
      return;
    case Subject::kKey:
      keys_.erase(inv.id);
      return;
    case Subject::kAgent:
      std::erase_if(keys_, [&](const auto& kv) { return kv.second.row.key.agent_id == inv.id; });
      return;
    case Subject::kUser:
      std::erase_if(keys_, [&](const auto& kv) { return kv.second.row.key.user_id == inv.id; });
      return;
    default:
      return;
  }
}

}  // namespace oakgate::apikey
