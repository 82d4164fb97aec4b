// GetOrLoad, the one way to read through an invalidated cache (cache/live_map.hpp): a hit
// costs no load, a miss loads once and is kept, and a load that an invalidation overtakes is
// answered but never kept, so no cache serves what the database had before a change it saw.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>

#include "gateway/apikey/key_cache.hpp"
#include "gateway/cache/invalidation.hpp"
#include "gateway/cache/live_map.hpp"
#include "gateway/oauth/client_cache.hpp"
#include "gateway/policy/policy_cache.hpp"

namespace oakgate::cache {
namespace {

class ManualClock : public util::Clock {
 public:
  int64_t NowSeconds() const override { return now; }
  int64_t now = 1000;
};

// A LiveMap of ints whose entries live 60 s; `loads` counts the database reads.
struct Ints {
  explicit Ints(InvalidationBus& bus) : map(bus, 4, "test_ints") {}
  std::optional<int> Read(const std::string& key, std::optional<int> row) {
    return map.GetOrLoad(
        key, now,
        [&] {
          ++loads;
          return row;
        },
        [this](const int&) {
          return LiveMap<int>::Lifetime{now + 60, now};
        });
  }
  LiveMap<int> map;
  int64_t now = 1000;
  int loads = 0;
};

TEST(GetOrLoad, AMissLoadsOnceAndIsKeptAHitLoadsNothing) {
  InvalidationBus bus;
  bus.SetLive(true);
  Ints ints(bus);
  EXPECT_EQ(ints.Read("a", 1), 1);
  EXPECT_EQ(ints.Read("a", 2), 1) << "served from memory";
  EXPECT_EQ(ints.loads, 1);
  ints.now += 60;
  EXPECT_EQ(ints.Read("a", 2), 2) << "expired: read again";
  EXPECT_EQ(ints.loads, 2);
}

TEST(GetOrLoad, NothingFoundKeepsNothing) {
  InvalidationBus bus;
  bus.SetLive(true);
  Ints ints(bus);
  EXPECT_EQ(ints.Read("a", std::nullopt), std::nullopt);
  EXPECT_EQ(ints.Read("a", std::nullopt), std::nullopt);
  EXPECT_EQ(ints.loads, 2);
  EXPECT_EQ(ints.map.size(), 0u);
}

TEST(GetOrLoad, ALoadOvertakenByAnInvalidationIsAnsweredButNeverKept) {
  InvalidationBus bus;
  bus.SetLive(true);
  LiveMap<int> map(bus, 4, "test_ints");
  auto lifetime = [](const int&) { return LiveMap<int>::Lifetime{2000, 1000}; };
  // The row is read, then a change to it commits and its notification arrives, then the
  // read's result would be kept: it must not be, since it is the row from before the change.
  auto stale = map.GetOrLoad(
      "a", 1000,
      [&] {
        std::optional<int> before = 1;
        bus.Deliver("agent:a");
        return before;
      },
      lifetime);
  EXPECT_EQ(stale, 1) << "the reader gets what it read";
  EXPECT_EQ(map.size(), 0u);
  EXPECT_EQ(map.GetOrLoad(
                "a", 1000, [] { return std::optional<int>(2); }, lifetime),
            2);
  EXPECT_EQ(map.size(), 1u) << "a load nothing overtook is kept";
}

TEST(GetOrLoad, ALoadDuringALostListenerIsNeverKept) {
  InvalidationBus bus;
  bus.SetLive(true);
  Ints ints(bus);
  auto lifetime = [](const int&) { return LiveMap<int>::Lifetime{2000, 1000}; };
  ints.map.GetOrLoad(
      "a", 1000,
      [&] {
        bus.SetLive(false);  // changes could go unseen meanwhile
        bus.SetLive(true);
        return std::optional<int>(1);
      },
      lifetime);
  EXPECT_EQ(ints.map.size(), 0u);
  bus.SetLive(false);
  EXPECT_EQ(ints.Read("b", 1), 1);
  EXPECT_EQ(ints.map.size(), 0u) << "nothing is kept while the bus is down";
}

TEST(GetOrLoad, AHitTheCallerMayNotUseIsLoadedAgain) {
  InvalidationBus bus;
  bus.SetLive(true);
  LiveMap<int> map(bus, 4, "test_ints");
  auto lifetime = [](const int&) { return LiveMap<int>::Lifetime{2000, 1000}; };
  auto odd_only = [](const int& v) { return v % 2 == 1; };
  int loads = 0;
  auto load = [&] {
    ++loads;
    return std::optional<int>(2);
  };
  map.GetOrLoad("a", 1000, load, lifetime, odd_only);
  map.GetOrLoad("a", 1000, load, lifetime, odd_only);
  EXPECT_EQ(loads, 2);
  EXPECT_EQ(map.GetOrLoad("a", 1000, load, lifetime), 2) << "kept all the same";
  EXPECT_EQ(loads, 2);
}

// The race itself, on two threads: whatever interleaving, once the last change has been
// delivered the cache never answers what the database held before it.
TEST(GetOrLoad, ConcurrentLoadsNeverKeepARowOlderThanTheLastChangeSeen) {
  InvalidationBus bus;
  bus.SetLive(true);
  ManualClock clock;
  policy::PolicyCache policies(bus, clock, 16, 60);
  std::atomic<int> version{0};  // the database: the slice's rule id
  auto read = [&] {
    store::PolicySlice s;
    s.rules.push_back(store::Rule{std::to_string(version.load()), "*", "*", "none"});
    return s;
  };
  constexpr int kChanges = 2000;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) policies.GetOrLoad("agent-1", "github", "read", read);
  });
  for (int i = 1; i <= kChanges; ++i) {
    version.store(i);              // the change commits
    bus.Deliver("agent:agent-1");  // then its notification arrives
  }
  done.store(true);
  reader.join();
  auto now = policies.GetOrLoad("agent-1", "github", "read", read);
  ASSERT_EQ(now->rules.size(), 1u);
  EXPECT_EQ(now->rules[0].id, std::to_string(kChanges));
}

TEST(PolicyCacheGetOrLoad, AChangeToTheAgentDropsItsEntriesOnly) {
  InvalidationBus bus;
  bus.SetLive(true);
  ManualClock clock;
  policy::PolicyCache policies(bus, clock, 16, 60);
  int loads = 0;
  auto load = [&] {
    ++loads;
    return store::PolicySlice{};
  };
  policies.GetOrLoad("agent-1", "github", "read", load);
  policies.GetOrLoad("agent-2", "github", "read", load);
  policies.GetOrLoad("agent-1", "github", "read", load);
  EXPECT_EQ(loads, 2);
  bus.Deliver("agent:agent-1");
  EXPECT_FALSE(policies.Find("agent-1", "github", "read"));
  EXPECT_TRUE(policies.Find("agent-2", "github", "read"));
  clock.now += 60;
  EXPECT_FALSE(policies.Find("agent-2", "github", "read")) << "a minute at most";
}

store::ApiKeyWithAgent KeyRow(std::optional<int64_t> expires_at, bool expired) {
  store::ApiKeyWithAgent row;
  row.key.key_id = "pk_aaaaaaaaaaaaaaaa";
  row.key.agent_id = "agent-1";
  row.key.user_id = "user-1";
  row.key.expires_at = expires_at;
  row.key.expired = expired;
  return row;
}

TEST(KeyCacheGetOrLoad, ALoadedRowKeepsTheDatabasesVerdictACachedOneIsJudgedNow) {
  InvalidationBus bus;
  bus.SetLive(true);
  ManualClock clock;
  apikey::KeyCache keys(bus, clock, 16, 60);
  // The database's clock says expired even though ours is a second behind.
  auto loaded = keys.GetOrLoad("pk_aaaaaaaaaaaaaaaa",
                               [] { return std::optional(KeyRow(int64_t{1001}, true)); });
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->key.expired);
  auto cached = keys.GetOrLoad("pk_aaaaaaaaaaaaaaaa", [] {
    ADD_FAILURE() << "a cached row needs no load";
    return std::optional<store::ApiKeyWithAgent>();
  });
  ASSERT_TRUE(cached);
  EXPECT_FALSE(cached->key.expired) << "judged by this clock, as Find does";
  clock.now = 1001;
  EXPECT_FALSE(keys.Find("pk_aaaaaaaaaaaaaaaa")) << "never kept past the key's expiry";
}

TEST(KeyCacheGetOrLoad, AKeyRevokedDuringItsLoadIsNotKept) {
  InvalidationBus bus;
  bus.SetLive(true);
  ManualClock clock;
  apikey::KeyCache keys(bus, clock, 16, 60);
  keys.GetOrLoad("pk_aaaaaaaaaaaaaaaa", [&] {
    auto row = KeyRow(std::nullopt, false);
    bus.Deliver("key:pk_aaaaaaaaaaaaaaaa");
    return std::optional(row);
  });
  EXPECT_FALSE(keys.Find("pk_aaaaaaaaaaaaaaaa"));
}

TEST(ClientCacheFill, AClientChangedBetweenItsReadAndItsProofIsNotKept) {
  InvalidationBus bus;
  bus.SetLive(true);
  ManualClock clock;
  oauth::ClientCache clients(bus, clock, 16, 60, 30);
  store::Client c;
  c.id = "rs";
  c.confidential = true;
  auto fill = clients.BeginFill();  // before the database read
  bus.Deliver("client:rs");         // the secret rotates meanwhile
  fill.Keep(c);                     // the old row proved the old secret
  EXPECT_FALSE(clients.Find("rs", "10.0.0.1"));
  clients.BeginFill().Keep(c);
  EXPECT_TRUE(clients.Find("rs", "10.0.0.1"));
}

}  // namespace
}  // namespace oakgate::cache
