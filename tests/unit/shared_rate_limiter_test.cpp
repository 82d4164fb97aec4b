#include "gateway/policy/shared_rate_limiter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "gateway/policy/lookup_throttle.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::policy {
namespace {

// The shared bucket in memory, with the arithmetic of the lease statement
// (sql::kRateBucketLease) at the store's own clock (the database's, in production).
class FakeRateBucketStore : public store::RateBucketStore {
 public:
  int64_t db_now_ms = 0;
  int64_t statements = 0;
  bool down = false;
  std::map<std::string, BucketState> buckets;

  store::Lease TakeChunk(std::string_view agent_id, int64_t rate, int64_t burst,
                         int64_t chunk) override {
    if (down) throw util::ServiceUnavailable("database down");
    ++statements;
    const int64_t capacity = burst * kUnitsPerToken;
    BucketState& b = buckets[std::string(agent_id)];
    if (!b.initialized) b = BucketState{capacity, db_now_ms, true};
    int64_t elapsed = std::clamp<int64_t>(db_now_ms - b.updated_ms, 0, capacity / rate + 1);
    b.units = std::min(capacity, b.units + elapsed * rate);
    b.updated_ms = std::max(b.updated_ms, db_now_ms);
    store::Lease lease;
    lease.granted = std::min(chunk, b.units / kUnitsPerToken);
    b.units -= lease.granted * kUnitsPerToken;
    lease.units = b.units;
    return lease;
  }
};

// One gateway instance: a limiter with its own local clock on the shared store.
struct Instance {
  explicit Instance(FakeRateBucketStore& store) : limiter(store) {}
  SharedRateLimiter limiter;
};

constexpr char kAgent[] = "a0000000-0000-4000-8000-000000000001";

TEST(SharedRateLimiter, ChunksAreSmallAgainstBothBurstAndRate) {
  struct Case {
    int64_t rate, burst, chunk;
  };
  for (const Case& c : std::vector<Case>{
           {60, 20, 1},                  // the default limits: a statement per admitted request
           {60, 60, 1},                  //
           {6000, 6000, 5},              // 100/s: 5 of the 100 a second refills
           {60000, 200, 10},             // a small burst bounds it
           {600000, 600000, 500},        // 10,000/s: kMaxChunk is 1/20 of a second's refill
           {1000000, 1000000, 500},      // the API's largest limits
           {100000000, 100000000, 500},  // the bench agent: one statement per 500 requests
           {1, 1, 1},                    //
       }) {
    EXPECT_EQ(ChunkFor(c.rate, c.burst), c.chunk) << c.rate << "/min burst " << c.burst;
  }
}

TEST(SharedRateLimiter, ANewAgentGetsItsBurstThenIsRefusedWithRetryAfter) {
  FakeRateBucketStore store;
  SharedRateLimiter limiter(store);
  for (int i = 0; i < 20; ++i) {
    BucketAnswer a = limiter.Take(kAgent, 60, 20, 1000);
    ASSERT_TRUE(a.allowed) << i;
    EXPECT_EQ(a.limit, 20);
    EXPECT_EQ(a.remaining, 19 - i);
  }
  BucketAnswer refused = limiter.Take(kAgent, 60, 20, 1000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset, 1);  // 60/min: one token a second
  EXPECT_EQ(refused.retry_after, 1);
}

TEST(SharedRateLimiter, ARefusedAgentCostsNoStatementUntilTheNextTokenExists) {
  FakeRateBucketStore store;
  SharedRateLimiter limiter(store);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(limiter.Take(kAgent, 6, 2, 0).allowed);  // 10 s each
  ASSERT_FALSE(limiter.Take(kAgent, 6, 2, 0).allowed);
  const int64_t after_refusal = store.statements;
  for (int64_t t = 0; t < 10000; t += 10) {
    store.db_now_ms = t;
    BucketAnswer a = limiter.Take(kAgent, 6, 2, t);
    ASSERT_FALSE(a.allowed) << t;
    EXPECT_EQ(a.retry_after, (10000 - t + 999) / 1000) << t;
  }
  EXPECT_EQ(store.statements, after_refusal) << "a thousand refusals, no statement";
  store.db_now_ms = 10000;
  EXPECT_TRUE(limiter.Take(kAgent, 6, 2, 10000).allowed);
  EXPECT_EQ(store.statements, after_refusal + 1);
}

TEST(SharedRateLimiter, ABusyAgentCostsOneStatementPerChunk) {
  FakeRateBucketStore store;
  SharedRateLimiter limiter(store);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(limiter.Take(kAgent, 100000000, 100000000, 500).allowed);
  }
  EXPECT_EQ(store.statements, 1000 / kMaxChunk);
}

TEST(SharedRateLimiter, TwoInstancesTogetherAdmitNoMoreThanOneBucket) {
  struct Case {
    int64_t rate, burst;
  };
  for (const Case& c : std::vector<Case>{{60, 20}, {600, 600}, {6000, 1000}, {60000, 60000}}) {
    FakeRateBucketStore store;
    Instance a(store), b(store);
    // Both hammer the agent for 10 s, each request alternating between them; instance b's
    // clock runs 700 ms ahead of a's (local clocks only measure leases, never the bucket).
    int64_t admitted = 0, requests = 0;
    const int64_t span_ms = 10000;
    for (int64_t t = 0; t < span_ms; ++t) {
      store.db_now_ms = t;
      for (int k = 0; k < 20; ++k, ++requests) {
        admitted += (k % 2 ? a.limiter.Take(kAgent, c.rate, c.burst, t)
                           : b.limiter.Take(kAgent, c.rate, c.burst, t + 700))
                        .allowed;
      }
    }
    const int64_t bound = c.burst + c.rate * span_ms / 60000;
    SCOPED_TRACE(testing::Message() << c.rate << "/min burst " << c.burst);
    EXPECT_LE(admitted, bound);
    EXPECT_GE(admitted, bound * 9 / 10) << "within 10% below";
    EXPECT_LT(store.statements, requests / 10) << "not a statement per request";
  }
}

TEST(SharedRateLimiter, UnspentTokensExpireInsteadOfReturning) {
  FakeRateBucketStore store;
  SharedRateLimiter limiter(store);
  // 6000/min, burst 1000: chunks of 5 tokens.
  ASSERT_TRUE(limiter.Take(kAgent, 6000, 1000, 0).allowed);
  EXPECT_EQ(store.statements, 1);
  EXPECT_TRUE(limiter.Take(kAgent, 6000, 1000, kLeaseTtlMs - 1).allowed);
  EXPECT_EQ(store.statements, 1) << "still within the lease";
  EXPECT_TRUE(limiter.Take(kAgent, 6000, 1000, kLeaseTtlMs).allowed);
  EXPECT_EQ(store.statements, 2) << "the 3 tokens left were dropped, a new chunk leased";
  EXPECT_EQ(store.buckets[kAgent].units / kUnitsPerToken, 1000 - 10)
      << "two chunks of 5 left the shared bucket; nothing came back";
}

TEST(SharedRateLimiter, ADatabaseFailureIsServiceUnavailableAndTheNextRequestRetries) {
  FakeRateBucketStore store;
  SharedRateLimiter limiter(store);
  store.down = true;
  EXPECT_THROW(limiter.Take(kAgent, 60, 20, 0), util::ServiceUnavailable);
  EXPECT_THROW(limiter.Take(kAgent, 60, 20, 0), util::ServiceUnavailable);
  store.down = false;
  BucketAnswer a = limiter.Take(kAgent, 60, 20, 0);
  EXPECT_TRUE(a.allowed);
  EXPECT_EQ(a.remaining, 19);
}

TEST(SharedRateLimiter, RemainingCountsTheLeaseAndTheSharedBucketRefilledSince) {
  FakeRateBucketStore store;
  SharedRateLimiter limiter(store);
  // 60000/min (1000/s), burst 200: chunks of 10.
  BucketAnswer first = limiter.Take(kAgent, 60000, 200, 0);
  EXPECT_EQ(first.remaining, 199) << "9 held here, 190 in the shared bucket";
  EXPECT_EQ(first.reset, 1);
  store.db_now_ms = 5;
  BucketAnswer later = limiter.Take(kAgent, 60000, 200, 5);
  EXPECT_EQ(later.remaining, 200) << "8 held and 190 + 5 refilled, but at most the burst";
}

TEST(SharedRateLimiter, AgentsHaveTheirOwnBuckets) {
  FakeRateBucketStore store;
  SharedRateLimiter limiter(store);
  EXPECT_TRUE(limiter.Take("agent-1", 60, 1, 0).allowed);
  EXPECT_FALSE(limiter.Take("agent-1", 60, 1, 0).allowed);
  EXPECT_TRUE(limiter.Take("agent-2", 60, 1, 0).allowed);
}

// The local clock of one instance (monotonic milliseconds), moved by hand.
class StepClock : public util::Clock {
 public:
  int64_t ms = 5'000'000;
  int64_t NowSeconds() const override { return ms / 1000; }
  int64_t MonotonicMillis() const override { return ms; }
};

constexpr char kScanner[] = "203.0.113.7";

TEST(LookupThrottle, AnAddressGetsItsBurstOfFailuresThenEveryLookupIsRefusedWithRetryAfter) {
  FakeRateBucketStore store;
  StepClock clock;
  SharedLookupThrottle throttle(store, clock, 60);
  for (int i = 0; i < 60; ++i) {
    ASSERT_EQ(throttle.Blocked(kScanner), 0) << i;
    ASSERT_EQ(throttle.Failed(kScanner), 0) << i;
  }
  int64_t wait = throttle.Failed(kScanner);
  EXPECT_GE(wait, 1);  // one failure a second refills at 60 a minute
  EXPECT_EQ(throttle.Blocked(kScanner), wait);
  // Another address is untouched.
  EXPECT_EQ(throttle.Blocked("198.51.100.1"), 0);
  EXPECT_EQ(throttle.Failed("198.51.100.1"), 0);
}

TEST(LookupThrottle, ARefusedAddressIsLetBackOnlyAtTheRateItsFailuresRefill) {
  FakeRateBucketStore store;
  StepClock clock;
  SharedLookupThrottle throttle(store, clock, 60);
  for (int i = 0; i < 60; ++i) ASSERT_EQ(throttle.Failed(kScanner), 0);
  ASSERT_GT(throttle.Failed(kScanner), 0);
  clock.ms += 500;
  store.db_now_ms += 500;
  EXPECT_GT(throttle.Blocked(kScanner), 0);  // half a failure has refilled
  clock.ms += 500;
  store.db_now_ms += 500;
  EXPECT_EQ(throttle.Blocked(kScanner), 0);
  EXPECT_EQ(throttle.Failed(kScanner), 0);  // the one that refilled
  EXPECT_GT(throttle.Failed(kScanner), 0);
}

TEST(LookupThrottle, WhileNobodyIsOverTheCheckReadsNoMap) {
  FakeRateBucketStore store;
  StepClock clock;
  SharedLookupThrottle throttle(store, clock, 60);
  EXPECT_EQ(throttle.Blocked(kScanner), 0);
  EXPECT_EQ(throttle.size(), 0u);  // the check remembers nothing and ran no statement
  EXPECT_EQ(store.statements, 0);
}

TEST(LookupThrottle, ABlockedAddressCostsNoStatementUntilItsWaitEnds) {
  FakeRateBucketStore store;
  StepClock clock;
  SharedLookupThrottle throttle(store, clock, 60);
  for (int i = 0; i < 61; ++i) throttle.Failed(kScanner);
  int64_t statements = store.statements;
  for (int i = 0; i < 100; ++i) EXPECT_GT(throttle.Blocked(kScanner), 0);
  EXPECT_EQ(store.statements, statements);
}

TEST(LookupThrottle, TwoInstancesShareOneAllowancePerAddress) {
  FakeRateBucketStore store;
  StepClock clock_a, clock_b;
  SharedLookupThrottle a(store, clock_a, 60);
  SharedLookupThrottle b(store, clock_b, 60);
  int allowed = 0;
  for (int i = 0; i < 100; ++i) {
    if ((i % 2 ? a : b).Failed(kScanner) == 0) ++allowed;
  }
  EXPECT_EQ(allowed, 60);
  // Each instance knows once its own next failure met the empty shared bucket.
  EXPECT_GT(a.Blocked(kScanner), 0);
  EXPECT_GT(b.Blocked(kScanner), 0);
}

TEST(LookupThrottle, ZeroTurnsItOff) {
  FakeRateBucketStore store;
  StepClock clock;
  SharedLookupThrottle throttle(store, clock, 0);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(throttle.Failed(kScanner), 0);
  EXPECT_EQ(throttle.Blocked(kScanner), 0);
  EXPECT_EQ(store.statements, 0);
}

TEST(LookupThrottle, ManyAddressesAreForgottenButABlockedOneIsKept) {
  FakeRateBucketStore store;
  StepClock clock;
  SharedLookupThrottle throttle(store, clock, 1, 4);
  ASSERT_EQ(throttle.Failed(kScanner), 0);
  ASSERT_GT(throttle.Failed(kScanner), 0);
  for (int i = 0; i < 20; ++i) throttle.Failed("198.51.100." + std::to_string(i));
  EXPECT_LE(throttle.size(), 4u);
  EXPECT_GT(throttle.Blocked(kScanner), 0);
}

TEST(LookupThrottle, ADatabaseFailureIsServiceUnavailable) {
  FakeRateBucketStore store;
  StepClock clock;
  SharedLookupThrottle throttle(store, clock, 60);
  store.down = true;
  EXPECT_THROW(throttle.Failed(kScanner), util::ServiceUnavailable);
  store.down = false;
  EXPECT_EQ(throttle.Failed(kScanner), 0);
}

TEST(LookupThrottle, BucketKeysAreVersion8UuidsOfTheAddress) {
  std::string key = LookupBucketKey(kScanner);
  ASSERT_EQ(key.size(), 36u);
  EXPECT_EQ(key[14], '8');  // never an agent's version-4 id
  EXPECT_NE(std::string("89ab").find(key[19]), std::string::npos);
  EXPECT_EQ(key, LookupBucketKey(kScanner));
  EXPECT_NE(key, LookupBucketKey("203.0.113.8"));
}

}  // namespace
}  // namespace oakgate::policy
