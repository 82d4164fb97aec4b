#include "gateway/policy/lookup_throttle.hpp"

#include <algorithm>

#include "gateway/crypto/sha256.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::policy {
namespace {

int64_t SecondsUntil(int64_t until_ms, int64_t now_ms) {
  return std::max<int64_t>(1, (until_ms - now_ms + 999) / 1000);
}

void CountLease(bool granted) {
  observe::Metrics()
      .GetCounter("oakgate_lookup_throttle_leases_total",
                  "Statements that leased failed lookups from an address's shared bucket, by "
                  "result: granted (some), empty (none: the address is over its limit)",
                  {{"result", granted ? "granted" : "empty"}})
      .Inc();
}

void CountRefused() {
  static observe::Counter& refused = observe::Metrics().GetCounter(
      "oakgate_lookup_throttled_total",
      "Lookups of tokens or API keys refused with 429 because their client address failed too "
      "many lookups (lookup_failures_per_minute)");
  refused.Inc();
}

}  // namespace

store::Lease SharedLookupThrottle::CountingStore::TakeChunk(std::string_view key,
                                                            int64_t rate_per_minute, int64_t burst,
                                                            int64_t chunk) {
  store::Lease lease = inner.TakeChunk(key, rate_per_minute, burst, chunk);
  CountLease(lease.granted > 0);
  return lease;
}

std::string LookupBucketKey(std::string_view address) {
  std::string label = "oakgate lookup failures\n";
  label.append(address);
  crypto::Sha256Digest d = crypto::Sha256(label);
  d[6] = static_cast<unsigned char>((d[6] & 0x0f) | 0x80);  // RFC 9562 §5.8: version 8
  d[8] = static_cast<unsigned char>((d[8] & 0x3f) | 0x80);  // RFC 9562 §4.1: variant 10
  return util::FormatUuid(std::string_view(reinterpret_cast<const char*>(d.data()), 16));
}

SharedLookupThrottle::SharedLookupThrottle(store::RateBucketStore& store, const util::Clock& clock,
                                           int64_t failures_per_minute, size_t capacity)
    : store_(store),
      clock_(clock),
      rate_(std::max<int64_t>(failures_per_minute, 0)),
      capacity_(std::max<size_t>(capacity, 1)) {}

std::shared_ptr<SharedLookupThrottle::Address> SharedLookupThrottle::Find(
    const std::string& address) const {
  std::lock_guard lock(mutex_);
  auto it = addresses_.find(address);
  return it == addresses_.end() ? nullptr : it->second;
}

std::shared_ptr<SharedLookupThrottle::Address> SharedLookupThrottle::FindOrAdd(
    const std::string& address, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = addresses_.find(address);
  if (it != addresses_.end()) return it->second;
  if (addresses_.size() >= capacity_) {
    // Forget every address not blocked now: their leased failures are dropped (stricter, never
    // looser) and their shared buckets stay in the database.
    std::erase_if(addresses_, [now_ms](const auto& entry) {
      return entry.second->blocked_until_ms.load(std::memory_order_relaxed) <= now_ms;
    });
  }
  auto entry = std::make_shared<Address>();
  entry->key = LookupBucketKey(address);
  // Still full of blocked addresses: this one is counted without being remembered.
  if (addresses_.size() < capacity_) addresses_.emplace(address, entry);
  return entry;
}

int64_t SharedLookupThrottle::Blocked(const std::string& address) {
  if (rate_ == 0) return 0;
  const int64_t now = clock_.MonotonicMillis();
  if (now >= horizon_ms_.load(std::memory_order_acquire)) return 0;
  auto entry = Find(address);
  if (!entry) return 0;
  int64_t until = entry->blocked_until_ms.load(std::memory_order_acquire);
  if (now >= until) return 0;
  CountRefused();
  return SecondsUntil(until, now);
}

int64_t SharedLookupThrottle::Failed(const std::string& address) {
  if (rate_ == 0) return 0;
  const int64_t now = clock_.MonotonicMillis();
  auto entry = FindOrAdd(address, now);
  std::lock_guard lock(entry->mutex);
  BucketAnswer answer = TakeLeased(entry->state, store_, entry->key, rate_, rate_, now, false);
  if (answer.allowed) return 0;
  // Refused until the shared bucket holds a failure again (TakeLeased asks it no sooner).
  int64_t until = std::max(entry->state.empty_until_ms, now + 1);
  entry->blocked_until_ms.store(until, std::memory_order_release);
  int64_t horizon = horizon_ms_.load(std::memory_order_relaxed);
  while (horizon < until &&
         !horizon_ms_.compare_exchange_weak(horizon, until, std::memory_order_release)) {
  }
  CountRefused();
  return std::max<int64_t>(answer.retry_after, SecondsUntil(until, now));
}

size_t SharedLookupThrottle::size() const {
  std::lock_guard lock(mutex_);
  return addresses_.size();
}

}  // namespace oakgate::policy
