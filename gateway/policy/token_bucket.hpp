#pragma once
// Per-agent token buckets (CONTRACT §6): `rate` tokens a minute, at most `burst` stored.
// TakeToken is pure and driven by an explicit time in milliseconds; RateLimiter keeps one
// bucket per agent in memory (per process: two gateway instances each count their own).
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace oakgate::policy {

struct BucketState {
  // Tokens scaled by 60000 (one token = 60000 units): refilling `rate` tokens a minute adds
  // exactly `rate` units a millisecond, so the arithmetic is exact integers.
  int64_t units = 0;
  int64_t updated_ms = 0;
  bool initialized = false;
};

struct BucketAnswer {
  bool allowed = false;
  int64_t limit = 0;        // RateLimit-Limit: the burst
  int64_t remaining = 0;    // RateLimit-Remaining: whole tokens left after this request
  int64_t reset = 0;        // RateLimit-Reset: seconds until the next token (0 when full)
  int64_t retry_after = 0;  // Retry-After when refused: seconds until a token is there
};

inline constexpr int64_t kUnitsPerToken = 60000;

// A new bucket starts full. Time going backwards is treated as no time passing.
BucketAnswer TakeToken(BucketState& state, int64_t rate_per_minute, int64_t burst, int64_t now_ms);

class RateLimiter {
 public:
  BucketAnswer Take(const std::string& agent_id, int64_t rate_per_minute, int64_t burst,
                    int64_t now_ms);
  // Memory only: the answer, or nullopt when it would need the database.
  std::optional<BucketAnswer> TryTake(const std::string& agent_id, int64_t rate_per_minute,
                                      int64_t burst, int64_t now_ms) {
    return Take(agent_id, rate_per_minute, burst, now_ms);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, BucketState> buckets_;
};

}  // namespace oakgate::policy
