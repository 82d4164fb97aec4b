#include "gateway/oauth/active_token_cache.hpp"

#include <algorithm>
#include <cstdlib>

#include "gateway/observe/metrics.hpp"

namespace oakgate::oauth {
namespace {

observe::Counter& Requests(const char* result) {
  return observe::Metrics().GetCounter("oakgate_cache_requests_total",
                                       "In-process cache lookups by cache and result",
                                       {{"cache", "active_access_tokens"}, {"result", result}});
}

}  // namespace

ActiveTokenCache::ActiveTokenCache(cache::InvalidationBus& bus, const util::Clock& clock,
                                   size_t capacity, int64_t max_ttl_seconds)
    : bus_(bus), clock_(clock), capacity_(capacity), max_ttl_(max_ttl_seconds) {
  bus_.Subscribe([this](const cache::Invalidation& inv) { Evict(inv); });
}

std::shared_ptr<const CachedToken> ActiveTokenCache::Find(std::string_view token_hash,
                                                          std::string_view caller_id,
                                                          bool count_miss) {
  // Resolved once: the registry renders labels on every GetCounter call.
  static observe::Counter& hits = Requests("hit");
  static observe::Counter& misses = Requests("miss");
  std::shared_ptr<const CachedToken> found;
  if (bus_.live()) {
    std::lock_guard lock(mutex_);
    auto it = tokens_.find(std::string(token_hash));
    if (it != tokens_.end()) found = it->second;
  }
  if (found && found->expires_at <= clock_.NowSeconds()) found = nullptr;
  if (found && found->audience_bound &&
      std::find(found->introspectors.begin(), found->introspectors.end(), caller_id) ==
          found->introspectors.end()) {
    found = nullptr;  // RFC 7662 §2.2: the database path answers inactive to this caller
  }
  if (found) {
    hits.Inc();
  } else if (count_miss) {
    misses.Inc();
  }
  return found;
}

void ActiveTokenCache::Put(std::string token_hash, CachedToken entry, uint64_t generation) {
  int64_t now = clock_.NowSeconds();
  entry.expires_at = std::min(entry.expires_at, now + max_ttl_);
  if (entry.expires_at <= now) return;
  auto shared = std::make_shared<const CachedToken>(std::move(entry));
  std::lock_guard lock(mutex_);
  if (!bus_.live() || bus_.generation() != generation) return;
  if (tokens_.size() >= capacity_) {
    std::erase_if(tokens_, [now](const auto& kv) { return kv.second->expires_at <= now; });
    if (tokens_.size() >= capacity_) return;
  }
  tokens_[std::move(token_hash)] = std::move(shared);
}

size_t ActiveTokenCache::size() const {
  std::lock_guard lock(mutex_);
  return tokens_.size();
}

void ActiveTokenCache::Evict(const cache::Invalidation& inv) {
  using cache::Subject;
  std::lock_guard lock(mutex_);
  switch (inv.subject) {
    case Subject::kAll:
      tokens_.clear();
      return;
    case Subject::kFamily: {
      int64_t family = std::strtoll(inv.id.c_str(), nullptr, 10);
      std::erase_if(tokens_, [&](const auto& kv) { return kv.second->family_id == family; });
      return;
    }
    case Subject::kUser:
      std::erase_if(tokens_, [&](const auto& kv) { return kv.second->user_id == inv.id; });
      return;
    case Subject::kClient:
      std::erase_if(tokens_, [&](const auto& kv) { return kv.second->client_id == inv.id; });
      return;
    case Subject::kResources:
      std::erase_if(tokens_, [](const auto& kv) { return kv.second->audience_bound; });
      return;
    default:
      return;
  }
}

}  // namespace oakgate::oauth
