#include "gateway/oauth/inactive_token_cache.hpp"

#include "gateway/observe/metrics.hpp"

namespace oakgate::oauth {
namespace {

observe::Counter& Requests(const std::string& cache, const char* result) {
  return observe::Metrics().GetCounter("oakgate_cache_requests_total",
                                       "In-process cache lookups by cache and result",
                                       {{"cache", cache}, {"result", result}});
}

}  // namespace

InactiveTokenCache::InactiveTokenCache(size_t capacity, int64_t ttl_seconds,
                                       const util::Clock& clock, const std::string& name)
    : capacity_(capacity == 0 ? 1 : capacity),
      ttl_(ttl_seconds),
      clock_(clock),
      hits_(Requests(name, "hit")),
      misses_(Requests(name, "miss")) {}

bool InactiveTokenCache::Contains(std::string_view token_hash, bool count_miss) {
  int64_t now = clock_.NowSeconds();
  std::lock_guard lock(mutex_);
  auto it = expiry_.find(std::string(token_hash));
  bool hit = it != expiry_.end() && it->second > now;
  if (hit) {
    hits_.Inc();
  } else if (count_miss) {
    misses_.Inc();
  }
  return hit;
}

void InactiveTokenCache::Add(std::string_view token_hash) {
  int64_t expires = clock_.NowSeconds() + ttl_;
  std::lock_guard lock(mutex_);
  auto [it, inserted] = expiry_.insert_or_assign(std::string(token_hash), expires);
  if (!inserted) return;  // refreshed in place; its place in the eviction order stays
  order_.push_back(it->first);
  while (expiry_.size() > capacity_) {
    expiry_.erase(order_.front());
    order_.pop_front();
  }
}

size_t InactiveTokenCache::size() const {
  std::lock_guard lock(mutex_);
  return expiry_.size();
}

}  // namespace oakgate::oauth
