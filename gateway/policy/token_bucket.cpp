#include "gateway/policy/token_bucket.hpp"

#include <algorithm>

namespace oakgate::policy {
namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

BucketAnswer TakeToken(BucketState& s, int64_t rate, int64_t burst, int64_t now_ms) {
  rate = std::max<int64_t>(rate, 1);
  burst = std::max<int64_t>(burst, 1);
  const int64_t capacity = burst * kUnitsPerToken;
  if (!s.initialized) {
    s.units = capacity;
    s.updated_ms = now_ms;
    s.initialized = true;
  }
  int64_t elapsed = std::max<int64_t>(0, now_ms - s.updated_ms);
  // Cap before multiplying so a long idle period cannot overflow.
  elapsed = std::min(elapsed, CeilDiv(capacity, rate));
  s.units = std::min(capacity, s.units + elapsed * rate);
  s.updated_ms = std::max(s.updated_ms, now_ms);

  BucketAnswer a;
  a.limit = burst;
  if (s.units >= kUnitsPerToken) {
    s.units -= kUnitsPerToken;
    a.allowed = true;
  }
  a.remaining = s.units / kUnitsPerToken;
  if (s.units < capacity) {
    int64_t missing = kUnitsPerToken - s.units % kUnitsPerToken;  // to the next whole token
    int64_t ms = CeilDiv(missing, rate);
    a.reset = CeilDiv(ms, 1000);
    if (!a.allowed) a.retry_after = std::max<int64_t>(1, a.reset);
  }
  return a;
}

}  // namespace oakgate::policy
