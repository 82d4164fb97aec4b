// The stores that count: login and client-authentication failures over a window, dynamic
// registration attempts, an agent's shared token bucket, and rate-limited validations.
#include <atomic>

#include "tests/store/store_test.hpp"

namespace oakgate::test {
namespace {

class Counting : public StoreTest {
 protected:
  // An attempt that is always admitted, so recorded as a failure.
  static void RecordLoginFailure(const std::string& account, const std::string& address) {
    EXPECT_TRUE(Db().Throttle().TryLoginAttempt(
        account, address, 900, [](const store::LoginFailureCounts&) { return true; }));
  }
  // The counts an attempt would be decided on; it is refused, so nothing is recorded.
  static store::LoginFailureCounts CountLoginFailures(const std::string& account,
                                                      const std::string& address, int64_t window) {
    store::LoginFailureCounts seen;
    EXPECT_FALSE(Db().Throttle().TryLoginAttempt(account, address, window,
                                                 [&](const store::LoginFailureCounts& c) {
                                                   seen = c;
                                                   return false;
                                                 }));
    return seen;
  }
};

TEST_F(Counting, LoginFailuresAreCountedByPairAddressAndAccount) {
  std::string a = Unique("a-"), b = Unique("b-"), ip1 = Unique("ip1-"), ip2 = Unique("ip2-");
  auto& t = Db().Throttle();
  for (int i = 0; i < 3; ++i) RecordLoginFailure(a, ip1);
  for (int i = 0; i < 2; ++i) RecordLoginFailure(a, ip2);
  RecordLoginFailure(b, ip1);
  EXPECT_EQ(CountLoginFailures(a, ip1, 900).pair, 3) << "a refused attempt is not recorded";

  auto c = CountLoginFailures(a, ip1, 900);
  EXPECT_EQ(c.pair, 3);
  EXPECT_EQ(c.address, 4);  // a and b from ip1
  EXPECT_EQ(c.account, 5);  // a from ip1 and ip2
  for (int64_t retry : {c.pair_retry, c.address_retry, c.account_retry}) {
    EXPECT_GT(retry, 0);
    EXPECT_LE(retry, 900);
  }

  // A successful login clears its own pair only.
  t.ClearLoginFailures(a, ip1);
  c = CountLoginFailures(a, ip1, 900);
  EXPECT_EQ(c.pair, 0);
  EXPECT_EQ(c.address, 1);
  EXPECT_EQ(c.account, 2);
  EXPECT_EQ(c.pair_retry, 0);
}

TEST_F(Counting, LoginFailuresOutsideTheWindowDoNotCount) {
  std::string a = Unique("a-"), ip = Unique("ip-");
  RecordLoginFailure(a, ip);
  Sql().Scalar(
      "UPDATE login_failures SET failed_at = now() - interval '1 hour'"
      " WHERE account = '" +
      a + "'");
  RecordLoginFailure(a, ip);
  auto c = CountLoginFailures(a, ip, 900);
  EXPECT_EQ(c.pair, 1);
  EXPECT_EQ(c.account, 1);
}

TEST_F(Counting, ClientAuthenticationFailuresAreCountedByClientAndAddress) {
  std::string client = Unique("c-"), other = Unique("c-"), ip1 = Unique("ip1-"),
              ip2 = Unique("ip2-");
  auto& t = Db().Throttle();
  t.RecordClientAuthFailure(client, ip1);
  t.RecordClientAuthFailure(client, ip2);
  t.RecordClientAuthFailure(other, ip1);
  auto c = t.CountClientAuthFailures(client, ip1, 300);
  EXPECT_EQ(c.client, 2);
  EXPECT_EQ(c.address, 2);
  EXPECT_GT(c.client_retry, 0);
  EXPECT_LE(c.client_retry, 300);
  EXPECT_EQ(t.CountClientAuthFailures(Unique("c-"), Unique("ip-"), 300).client, 0);
}

// G3: with check-then-record, guesses made at once all read the count before any was written,
// and every one of them was checked. Decided and recorded under the lock, exactly the limit
// get through however many race, and every admitted guess is counted.
TEST_F(Counting, ConcurrentLoginGuessesGetNoMoreThanTheLimitThrough) {
  constexpr int kThreads = 12;
  constexpr int64_t kLimit = 5;
  std::string account = Unique("a-"), address = Unique("ip-");
  std::atomic<int> admitted{0};
  RunTogether(kThreads, [&](int) {
    if (Db().Throttle().TryLoginAttempt(
            account, address, 900,
            [](const store::LoginFailureCounts& c) { return c.pair < kLimit; })) {
      ++admitted;
    }
  });
  EXPECT_EQ(admitted.load(), kLimit);
  EXPECT_EQ(Count("SELECT count(*) FROM login_failures WHERE account = '" + account + "'"), kLimit);

  // The same across keys: one account guessed from twelve addresses at once, and one address
  // guessing twelve accounts at once, each held to its own limit.
  std::string target = Unique("a-"), source = Unique("ip-");
  std::atomic<int> per_account{0}, per_address{0};
  RunTogether(kThreads, [&](int i) {
    auto account_limit = [](const store::LoginFailureCounts& c) { return c.account < kLimit; };
    auto address_limit = [](const store::LoginFailureCounts& c) { return c.address < kLimit; };
    if (Db().Throttle().TryLoginAttempt(target, Unique("ip-") + std::to_string(i), 900,
                                        account_limit)) {
      ++per_account;
    }
    if (Db().Throttle().TryLoginAttempt(Unique("a-"), source, 900, address_limit)) ++per_address;
  });
  EXPECT_EQ(per_account.load(), kLimit);
  EXPECT_EQ(per_address.load(), kLimit);
}

TEST_F(Counting, ConcurrentClientSecretGuessesGetNoMoreThanTheLimitThrough) {
  constexpr int kThreads = 12;
  constexpr int64_t kLimit = 5;
  std::string client = Unique("c-"), address = Unique("ip-");
  auto under = [](const store::ClientAuthFailureCounts& c) { return c.client < kLimit; };
  std::atomic<int> admitted{0};
  RunTogether(kThreads, [&](int i) {
    // Half from one address, half from others: the client's limit holds across them.
    std::string from = i % 2 ? address : Unique("ip-");
    if (Db().Throttle().TryClientAuthAttempt(client, from, 300, under)) ++admitted;
  });
  EXPECT_EQ(admitted.load(), kLimit);
  EXPECT_EQ(Count("SELECT count(*) FROM client_auth_failures WHERE client_id = '" + client + "'"),
            kLimit);

  // A right secret is no failure: forgetting its attempt frees its place.
  std::string other = Unique("c-");
  auto attempt = Db().Throttle().TryClientAuthAttempt(other, address, 300, under);
  ASSERT_TRUE(attempt);
  EXPECT_EQ(Db().Throttle().CountClientAuthFailures(other, address, 300).client, 1);
  Db().Throttle().ForgetClientAuthAttempt(*attempt);
  EXPECT_EQ(Db().Throttle().CountClientAuthFailures(other, address, 300).client, 0);
  // A refused attempt records nothing and says how long to wait.
  int64_t retry = 0;
  EXPECT_FALSE(Db().Throttle().TryClientAuthAttempt(client, address, 300,
                                                    [&](const store::ClientAuthFailureCounts& c) {
                                                      retry = c.client_retry;
                                                      return false;
                                                    }));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 300);
  EXPECT_EQ(Db().Throttle().CountClientAuthFailures(client, address, 300).client, kLimit);
}

TEST_F(Counting, RegistrationAttemptsOverTheLimitAreRefusedAndNotRecorded) {
  std::string ip = Unique("ip-");
  auto& r = Db().Registrations();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(r.RecordAttempt(ip, 3600, 3).allowed) << i;
  auto refused = r.RecordAttempt(ip, 3600, 3);
  EXPECT_FALSE(refused.allowed);
  EXPECT_GT(refused.retry, 0);
  EXPECT_LE(refused.retry, 3600);
  EXPECT_EQ(Count("SELECT count(*) FROM registration_attempts WHERE client_address = '" + ip + "'"),
            3);
  EXPECT_TRUE(r.RecordAttempt(Unique("ip-"), 3600, 3).allowed);
}

TEST_F(Counting, ConcurrentRegistrationsFromOneAddressGetNoMoreThanTheLimitThrough) {
  constexpr int kThreads = 12;
  constexpr int64_t kLimit = 5;
  std::string ip = Unique("ip-");
  std::atomic<int> admitted{0};
  RunTogether(kThreads, [&](int) {
    if (Db().Registrations().RecordAttempt(ip, 3600, kLimit).allowed) ++admitted;
  });
  EXPECT_EQ(admitted.load(), kLimit);
  EXPECT_EQ(Count("SELECT count(*) FROM registration_attempts WHERE client_address = '" + ip + "'"),
            kLimit);
}

TEST_F(Counting, TheSharedBucketGrantsNoMoreThanItsBurst) {
  // One token a minute: nothing refills while the test runs.
  store::Agent agent = NewAgent(NewUser());
  auto& b = Db().RateBuckets();
  EXPECT_EQ(b.TakeChunk(agent.id, 1, 10, 4).granted, 4);
  EXPECT_EQ(b.TakeChunk(agent.id, 1, 10, 4).granted, 4);
  auto last = b.TakeChunk(agent.id, 1, 10, 4);
  EXPECT_EQ(last.granted, 2);
  EXPECT_LT(last.units, 60000);  // less than one whole token left
  EXPECT_EQ(b.TakeChunk(agent.id, 1, 10, 4).granted, 0);
}

TEST_F(Counting, ConcurrentLeasesNeverTakeTheSameTokensTwice) {
  store::Agent agent = NewAgent(NewUser());
  std::atomic<int64_t> granted{0};
  RunTogether(8, [&](int) {
    for (int i = 0; i < 5; ++i) granted += Db().RateBuckets().TakeChunk(agent.id, 1, 20, 1).granted;
  });
  EXPECT_EQ(granted.load(), 20);
}

TEST_F(Counting, RateLimitedValidationsAddUpPerAgentAndMinute) {
  store::Agent agent = NewAgent(NewUser());
  int64_t minute =
      std::stoll(Sql().Scalar("SELECT (floor(extract(epoch FROM now()) / 60) * 60)"
                              "::bigint"));
  Db().Decisions().AddRefusals({{agent.id, minute, 3}});
  Db().Decisions().AddRefusals({{agent.id, minute, 4}, {agent.id, minute - 60, 1}});
  EXPECT_EQ(Count("SELECT count FROM rate_limited_counts WHERE agent_id = '" + agent.id +
                  "' AND minute = to_timestamp(" + std::to_string(minute) + ")"),
            7);
  auto summary = Db().Decisions().Summarize(agent.org_id);
  EXPECT_GE(summary.rate_limited_week, 7);
  EXPECT_LE(summary.rate_limited_week, 8);  // the earlier minute may fall in last week
}

}  // namespace
}  // namespace oakgate::test
