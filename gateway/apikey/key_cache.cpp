#include "gateway/apikey/key_cache.hpp"

#include <algorithm>

namespace oakgate::apikey {

KeyCache::KeyCache(cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity,
                   int64_t max_ttl_seconds)
    : bus_(bus), clock_(clock), max_ttl_(max_ttl_seconds), keys_(bus, capacity, "api_keys") {
  bus_.Subscribe([this](const cache::Invalidation& inv) { Evict(inv); });
}

std::optional<store::ApiKeyWithAgent> KeyCache::Find(std::string_view key_id, bool count_miss) {
  int64_t now = clock_.NowSeconds();
  auto out = keys_.Get(key_id, now, count_miss);
  if (out) Refresh(*out, now);
  return out;
}

void KeyCache::Refresh(store::ApiKeyWithAgent& row, int64_t now) {
  row.key.expired = row.key.expires_at && *row.key.expires_at <= now;
}

cache::LiveMap<store::ApiKeyWithAgent>::Lifetime KeyCache::LifetimeOf(
    const store::ApiKeyWithAgent& row) const {
  int64_t now = clock_.NowSeconds();
  int64_t until = now + max_ttl_;
  // Past its expiry the key must be re-read (its answer changes from valid to expired).
  if (row.key.expires_at && *row.key.expires_at > now) until = std::min(until, *row.key.expires_at);
  return {until, now};
}

void KeyCache::Evict(const cache::Invalidation& inv) {
  using cache::Subject;
  switch (inv.subject) {
    case Subject::kAll:
      keys_.Clear();
      return;
    case Subject::kKey:
      keys_.Erase(inv.id);
      return;
    case Subject::kAgent:
      keys_.EraseIf([&](const store::ApiKeyWithAgent& r) { return r.key.agent_id == inv.id; });
      return;
    case Subject::kUser:
      keys_.EraseIf([&](const store::ApiKeyWithAgent& r) { return r.key.user_id == inv.id; });
      return;
    default:
      return;
  }
}

}  // namespace oakgate::apikey
