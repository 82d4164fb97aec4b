#pragma once
// oauth::LookupThrottle held across gateway instances (security.md G9, G10): each client
// address has a token bucket of failed lookups, `failures_per_minute` a minute with a burst of
// as many, kept in the shared rate buckets (store::RateBucketStore) and leased from there as an
// agent's bucket is (shared_rate_limiter.hpp): every failure was first taken from the shared
// bucket, so all instances together allow at most burst + rate x time failures per address.
//
// Only failures touch it. A lookup that succeeds never reaches Failed, and Blocked costs one
// atomic load while no address is over, so valid credentials keep their hot path. An address
// found over its limit is remembered in memory until its next failure could be allowed; the
// other instances learn it at their own next failure from it (one statement).
//
// Bucket keys are UUIDs derived from the address (LookupBucketKey): version 8, so they never
// equal an agent's id (version 4) in the same table.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/oauth/lookup_throttle.hpp"
#include "gateway/policy/shared_rate_limiter.hpp"
#include "gateway/store/rate_bucket_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::policy {

// The shared bucket of an address's failed lookups: a UUID of RFC 9562 version 8 made of the
// SHA-256 of a fixed label and the address.
std::string LookupBucketKey(std::string_view address);

class SharedLookupThrottle : public oauth::LookupThrottle {
 public:
  // `failures_per_minute` 0 turns the throttle off. At most `capacity` addresses are kept in
  // memory; forgetting one only costs a statement at its next failure.
  SharedLookupThrottle(store::RateBucketStore& store, const util::Clock& clock,
                       int64_t failures_per_minute, size_t capacity = 65536);
  int64_t Blocked(const std::string& address) override;
  int64_t Failed(const std::string& address) override;
  size_t size() const;

 private:
  struct Address {
    std::string key;  // LookupBucketKey
    std::mutex mutex;
    LeaseState state;
    // Local monotonic time until which every lookup from the address is refused; read
    // without the mutex (the reactor never waits for a lease).
    std::atomic<int64_t> blocked_until_ms{0};
  };
  std::shared_ptr<Address> Find(const std::string& address) const;
  std::shared_ptr<Address> FindOrAdd(const std::string& address, int64_t now_ms);

  // The shared buckets, its leases counted apart from the agents'
  // (oakgate_lookup_throttle_leases_total).
  struct CountingStore : store::RateBucketStore {
    explicit CountingStore(store::RateBucketStore& s) : inner(s) {}
    store::Lease TakeChunk(std::string_view key, int64_t rate_per_minute, int64_t burst,
                           int64_t chunk) override;
    store::RateBucketStore& inner;
  };
  CountingStore store_;
  const util::Clock& clock_;
  const int64_t rate_;
  const size_t capacity_;
  // No address is blocked at or after this time: Blocked's only cost in the common case.
  std::atomic<int64_t> horizon_ms_{0};
  mutable std::mutex mutex_;  // guards addresses_ only, never held during a statement
  std::unordered_map<std::string, std::shared_ptr<Address>> addresses_;
};

}  // namespace oakgate::policy
