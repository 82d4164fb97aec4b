#include "gateway/policy/shared_rate_limiter.hpp"

#include <algorithm>

#include "gateway/observe/metrics.hpp"

namespace oakgate::policy {
namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

void CountLease(bool granted) {
  observe::Metrics()
      .GetCounter("oakgate_rate_limit_leases_total",
                  "Statements that leased tokens from a shared rate-limit bucket, by result: "
                  "granted (some tokens), empty (none: the agent is over its limit)",
                  {{"result", granted ? "granted" : "empty"}})
      .Inc();
}

}  // namespace

int64_t ChunkFor(int64_t rate_per_minute, int64_t burst) {
  // rate / 1200 is 1/20 of the tokens the rate refills in one second (kLeaseTtlMs).
  static_assert(kLeaseTtlMs == 1000, "the rate share below assumes a lease of one second");
  int64_t chunk = std::min(burst / 20, rate_per_minute / 1200);
  return std::clamp<int64_t>(chunk, 1, kMaxChunk);
}

BucketAnswer TakeLeased(LeaseState& s, store::RateBucketStore& store, const std::string& agent_id,
                        int64_t rate, int64_t burst, int64_t now_ms, bool count_leases) {
  rate = std::max<int64_t>(rate, 1);
  burst = std::max<int64_t>(burst, 1);
  const int64_t capacity = burst * kUnitsPerToken;

  // Dropped, not returned: returning would need another statement, and a dropped token only
  // makes the limit stricter.
  if (s.tokens > 0 && now_ms >= s.expires_ms) s.tokens = 0;
  if (s.tokens == 0 && (!s.leased || now_ms >= s.empty_until_ms)) {
    const int64_t chunk = ChunkFor(rate, burst);
    store::Lease lease = store.TakeChunk(agent_id, rate, burst, chunk);
    if (count_leases) CountLease(lease.granted > 0);
    s.leased = true;
    s.tokens = std::clamp<int64_t>(lease.granted, 0, chunk);
    s.expires_ms = now_ms + kLeaseTtlMs;
    s.shared_units = std::clamp<int64_t>(lease.units, 0, capacity);
    s.shared_at_ms = now_ms;
    // Less than a chunk granted: the shared bucket ran dry, the agent is at its limit. Asking
    // again before a whole chunk has refilled would cost a statement per token (or per
    // request, to hear "empty" again); waiting loses nothing, the tokens stay in the shared
    // bucket. By ChunkFor the wait is at most 1/20 s unless the chunk is 1 token.
    s.empty_until_ms =
        s.tokens == chunk
            ? now_ms
            : now_ms + CeilDiv(std::max<int64_t>(1, chunk * kUnitsPerToken - s.shared_units), rate);
  }

  BucketAnswer a;
  a.limit = burst;
  if (s.tokens > 0) {
    --s.tokens;
    a.allowed = true;
  }
  // The shared bucket as last seen, refilled since (capped before multiplying, as TakeToken).
  int64_t elapsed = std::clamp<int64_t>(now_ms - s.shared_at_ms, 0, CeilDiv(capacity, rate));
  int64_t shared = s.leased ? std::min(capacity, s.shared_units + elapsed * rate) : capacity;
  a.remaining = std::min(burst, s.tokens + shared / kUnitsPerToken);
  if (shared < capacity) {
    int64_t missing = kUnitsPerToken - shared % kUnitsPerToken;  // to the next whole token
    a.reset = CeilDiv(CeilDiv(missing, rate), 1000);
  }
  if (!a.allowed) {
    a.retry_after = std::max<int64_t>(
        {1, a.reset, CeilDiv(std::max<int64_t>(0, s.empty_until_ms - now_ms), 1000)});
  }
  return a;
}

SharedRateLimiter::Agent* SharedRateLimiter::AgentFor(const std::string& agent_id) {
  std::lock_guard lock(mutex_);
  auto& slot = agents_[agent_id];
  if (!slot) slot = std::make_unique<Agent>();
  return slot.get();  // entries are never erased, so the pointer outlives the lock
}

BucketAnswer SharedRateLimiter::Take(const std::string& agent_id, int64_t rate, int64_t burst,
                                     int64_t now_ms) {
  Agent* agent = AgentFor(agent_id);
  std::lock_guard lock(agent->mutex);
  return TakeLeased(agent->state, store_, agent_id, rate, burst, now_ms);
}

std::optional<BucketAnswer> SharedRateLimiter::TryTake(const std::string& agent_id, int64_t rate,
                                                       int64_t burst, int64_t now_ms) {
  Agent* agent = AgentFor(agent_id);
  std::unique_lock lock(agent->mutex, std::try_to_lock);
  if (!lock) return std::nullopt;  // a lease is running: never wait on the reactor
  const LeaseState& s = agent->state;
  bool holds = s.tokens > 0 && now_ms < s.expires_ms;
  if (!holds && (!s.leased || now_ms >= s.empty_until_ms)) return std::nullopt;  // would lease
  return TakeLeased(agent->state, store_, agent_id, rate, burst, now_ms);
}

}  // namespace oakgate::policy
