// The cache of dead access tokens: bounded, oldest out first, each entry for its TTL only.
#include "gateway/oauth/inactive_token_cache.hpp"

#include <gtest/gtest.h>

namespace oakgate::oauth {
namespace {

class ManualClock : public util::Clock {
 public:
  int64_t NowSeconds() const override { return now; }
  int64_t now = 1000;
};

TEST(InactiveTokenCache, RemembersWhatWasAddedUntilItsTtl) {
  ManualClock clock;
  InactiveTokenCache cache(10, 300, clock);
  EXPECT_FALSE(cache.Contains("h1"));
  cache.Add("h1");
  EXPECT_TRUE(cache.Contains("h1"));
  EXPECT_FALSE(cache.Contains("h2"));
  clock.now += 299;
  EXPECT_TRUE(cache.Contains("h1"));
  clock.now += 1;
  EXPECT_FALSE(cache.Contains("h1")) << "expired at its TTL";
}

TEST(InactiveTokenCache, NeverHoldsMoreThanItsCapacityAndEvictsTheOldest) {
  ManualClock clock;
  InactiveTokenCache cache(3, 300, clock);
  for (const char* h : {"a", "b", "c", "d"}) cache.Add(h);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.Contains("a"));
  EXPECT_TRUE(cache.Contains("b"));
  EXPECT_TRUE(cache.Contains("d"));
  cache.Add("d");  // again: refreshed in place, nothing evicted
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.Contains("b"));
  for (int i = 0; i < 1000; ++i) cache.Add("x" + std::to_string(i));
  EXPECT_EQ(cache.size(), 3u) << "a flood of unknown tokens stays bounded";
}

}  // namespace
}  // namespace oakgate::oauth
