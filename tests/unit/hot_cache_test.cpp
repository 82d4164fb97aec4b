// Issue 7: the invalidation bus and the caches it drives (pure: no database, no sockets).
#include <gtest/gtest.h>

#include <thread>

#include "gateway/cache/invalidation.hpp"
#include "gateway/oauth/active_token_cache.hpp"
#include "gateway/oauth/client_cache.hpp"

namespace oakgate {
namespace {

class ManualClock : public util::Clock {
 public:
  int64_t NowSeconds() const override { return now; }
  int64_t now = 1000;
};

oauth::CachedToken Token(int64_t family, std::string user, int64_t expires_at) {
  oauth::CachedToken t;
  t.answer.active = true;
  t.family_id = family;
  t.client_id = "svc";
  t.user_id = std::move(user);
  t.expires_at = expires_at;
  return t;
}

// Reads `t` through the cache as introspection does: kept unless the cache refuses it.
void Load(oauth::ActiveTokenCache& tokens, const std::string& hash, oauth::CachedToken t) {
  tokens.GetOrLoad(hash, "rs", [&] { return std::optional<oauth::CachedToken>(t); });
}

TEST(ParseInvalidation, ReadsWhatTheTriggersSend) {
  auto f = cache::ParseInvalidation("family:42");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->subject, cache::Subject::kFamily);
  EXPECT_EQ(f->id, "42");
  EXPECT_EQ(cache::ParseInvalidation("key:pk_abc")->subject, cache::Subject::kKey);
  EXPECT_EQ(cache::ParseInvalidation("resources")->subject, cache::Subject::kResources);
  EXPECT_EQ(cache::ParseInvalidation("all")->subject, cache::Subject::kAll);
  for (const char* bad : {"", "family:", "nonsense", "colour:blue", ":x"}) {
    EXPECT_FALSE(cache::ParseInvalidation(bad)) << bad;
  }
}

TEST(InvalidationBus, NothingIsServedOrFilledUntilTheListenerIsLive) {
  cache::InvalidationBus bus;
  ManualClock clock;
  oauth::ActiveTokenCache tokens(bus, clock, 10, 60);
  Load(tokens, "h", Token(1, "", 2000));
  EXPECT_EQ(tokens.size(), 0u);
  bus.SetLive(true);
  Load(tokens, "h", Token(1, "", 2000));
  EXPECT_TRUE(tokens.Find("h", "rs"));
  bus.SetLive(false);  // lost: everything goes, and nothing is served
  EXPECT_FALSE(tokens.Find("h", "rs"));
  bus.SetLive(true);
  EXPECT_FALSE(tokens.Find("h", "rs"));
}

TEST(InvalidationBus, AFillReadBeforeAChangeIsNotKept) {
  cache::InvalidationBus bus;
  ManualClock clock;
  oauth::ActiveTokenCache tokens(bus, clock, 10, 60);
  bus.SetLive(true);
  auto read = tokens.GetOrLoad("h", "rs", [&] {
    bus.Deliver("family:7");  // a revocation lands while the database read runs
    return std::optional<oauth::CachedToken>(Token(7, "", 2000));
  });
  EXPECT_TRUE(read) << "the reader gets what it read";
  EXPECT_FALSE(tokens.Find("h", "rs"));
}

TEST(ActiveTokenCache, EvictsByFamilyUserAndClient) {
  cache::InvalidationBus bus;
  ManualClock clock;
  oauth::ActiveTokenCache tokens(bus, clock, 10, 60);
  bus.SetLive(true);
  Load(tokens, "a", Token(1, "u1", 2000));
  Load(tokens, "b", Token(2, "u2", 2000));
  Load(tokens, "c", Token(3, "", 2000));
  bus.Deliver("family:1");
  EXPECT_FALSE(tokens.Find("a", "rs"));
  EXPECT_TRUE(tokens.Find("b", "rs"));
  bus.Deliver("user:u2");
  EXPECT_FALSE(tokens.Find("b", "rs"));
  EXPECT_TRUE(tokens.Find("c", "rs"));
  bus.Deliver("client:svc");
  EXPECT_FALSE(tokens.Find("c", "rs"));
  Load(tokens, "d", Token(4, "", 2000));
  bus.Deliver("garbage");  // unknown: everything goes
  EXPECT_EQ(tokens.size(), 0u);
}

TEST(ActiveTokenCache, NeverOutlivesTheTokenNorTheCap) {
  cache::InvalidationBus bus;
  ManualClock clock;
  oauth::ActiveTokenCache tokens(bus, clock, 10, 60);
  bus.SetLive(true);
  Load(tokens, "short", Token(1, "", 1010));
  Load(tokens, "long", Token(2, "", 99999));
  clock.now = 1010;
  EXPECT_FALSE(tokens.Find("short", "rs"));
  EXPECT_TRUE(tokens.Find("long", "rs"));
  clock.now = 1060;
  EXPECT_FALSE(tokens.Find("long", "rs"));
}

TEST(ActiveTokenCache, AnAudienceBoundTokenIsServedOnlyToItsIntrospectors) {
  cache::InvalidationBus bus;
  ManualClock clock;
  oauth::ActiveTokenCache tokens(bus, clock, 10, 60);
  bus.SetLive(true);
  auto t = Token(1, "", 2000);
  t.audience_bound = true;
  t.introspectors = {"rs-a"};
  Load(tokens, "h", t);
  EXPECT_TRUE(tokens.Find("h", "rs-a"));
  EXPECT_FALSE(tokens.Find("h", "rs-b"));
  bus.Deliver("resources");
  EXPECT_FALSE(tokens.Find("h", "rs-a"));
}

TEST(ActiveTokenCache, WhenFullOfLiveEntriesNewOnesAreNotCached) {
  cache::InvalidationBus bus;
  ManualClock clock;
  oauth::ActiveTokenCache tokens(bus, clock, 2, 60);
  bus.SetLive(true);
  Load(tokens, "a", Token(1, "", 2000));
  Load(tokens, "b", Token(2, "", 2000));
  Load(tokens, "c", Token(3, "", 2000));
  EXPECT_TRUE(tokens.Find("a", "rs"));
  EXPECT_TRUE(tokens.Find("b", "rs"));
  EXPECT_FALSE(tokens.Find("c", "rs"));
  clock.now = 1100;  // a and b expired: room again
  Load(tokens, "c", Token(3, "", 2000));
  EXPECT_TRUE(tokens.Find("c", "rs"));
}

TEST(ClientCache, AFailureSendsTheClientAndItsAddressToTheDatabasePath) {
  cache::InvalidationBus bus;
  ManualClock clock;
  oauth::ClientCache clients(bus, clock, 10, 60, 30);
  bus.SetLive(true);
  store::Client c;
  c.id = "rs";
  c.confidential = true;
  clients.BeginFill().Keep(c);
  EXPECT_TRUE(clients.Find("rs", "10.0.0.1"));
  clients.MarkSuspect("other", "10.0.0.2");
  EXPECT_TRUE(clients.Find("rs", "10.0.0.1"));
  EXPECT_FALSE(clients.Find("rs", "10.0.0.2"));  // the address failed recently
  clients.MarkSuspect("rs", "10.0.0.3");
  EXPECT_FALSE(clients.Find("rs", "10.0.0.1"));  // the client failed recently
  clock.now += 31;
  EXPECT_TRUE(clients.Find("rs", "10.0.0.1"));
  bus.Deliver("client:rs");
  EXPECT_FALSE(clients.Find("rs", "10.0.0.1"));
}

TEST(ClientCache, AnEntryEndsWithThePreviousSecretsGrace) {
  cache::InvalidationBus bus;
  ManualClock clock;
  oauth::ClientCache clients(bus, clock, 10, 60, 30);
  bus.SetLive(true);
  store::Client c;
  c.id = "rs";
  c.previous_secret_expires_at = 1010;
  clients.BeginFill().Keep(c);
  clock.now = 1010;
  EXPECT_FALSE(clients.Find("rs", "a"));
}

TEST(InvalidationBus, SyncReturnsOnceItsOwnMarkerIsSeen) {
  cache::InvalidationBus bus;
  bus.SetLive(true);
  std::string sent;
  std::thread listener;
  auto notify = [&](const std::string& payload) {
    sent = payload;
    listener = std::thread([&bus, payload] { bus.Deliver(payload); });
  };
  bus.Sync(notify, std::chrono::seconds(5));
  listener.join();
  EXPECT_EQ(sent.rfind("sync:", 0), 0u);
}

TEST(InvalidationBus, ASyncWhoseMarkerNeverComesDropsEverything) {
  cache::InvalidationBus bus;
  ManualClock clock;
  oauth::ActiveTokenCache tokens(bus, clock, 10, 60);
  bus.SetLive(true);
  Load(tokens, "h", Token(1, "", 2000));
  bus.Deliver("sync:someone-else.1");  // another instance's marker is ignored
  bus.Sync([](const std::string&) {}, std::chrono::milliseconds(1));
  EXPECT_FALSE(tokens.Find("h", "rs"));
}

}  // namespace
}  // namespace oakgate
