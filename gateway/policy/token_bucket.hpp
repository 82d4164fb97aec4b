#pragma once
// Per-agent token buckets (CONTRACT §6): `rate` tokens a minute, at most `burst` stored.
// TakeToken is pure and driven by an explicit time in milliseconds: the arithmetic of one
// bucket. The gateway's buckets are shared by its instances (shared_rate_limiter.hpp).
#include <cstdint>

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

}  // namespace oakgate::policy
