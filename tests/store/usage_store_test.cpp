// The usage counters of CONTRACT §9: kept by the decision log's own statements (the batch of
// decisions, the refused validations' counts) per organization, day and agent, read by the
// usage page; and the monthly allowance every instance leases from one row per organization
// and month, which never hands out more than the limit.
#include <atomic>

#include "tests/store/store_test.hpp"

namespace oakgate::test {
namespace {

class UsageStore : public StoreTest {
 protected:
  static std::string OrgOf(const std::string& user_id) {
    return Sql().Scalar("SELECT id FROM organizations WHERE personal_user_id = '" + user_id + "'");
  }
  static std::string Today() {
    return Sql().Scalar("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')");
  }
  static std::string ThisMonth() { return Today().substr(0, 7) + "-01"; }
  static const store::AgentUsage* Find(const store::MonthUsage& m, const std::string& agent_id) {
    for (const auto& a : m.agents) {
      if (a.agent_id == agent_id) return &a;
    }
    return nullptr;
  }
};

TEST_F(UsageStore, ABatchOfDecisionsIsWrittenWithItsOrganizationAndCountedInTheSameStatement) {
  std::string user = NewUser();
  store::Agent a = NewAgent(user), b = NewAgent(user);
  std::string org = OrgOf(user);
  auto ids = Db().Decisions().InsertBatch(
      {NewDecision(a, true), NewDecision(a, true), NewDecision(a, false), NewDecision(b, false)});
  ASSERT_EQ(ids.size(), 4u);
  Db().Decisions().InsertBatch({NewDecision(a, true)});

  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE org_id = '" + org + "' AND user_id = '" +
                  user + "'"),
            5);
  store::MonthUsage m = Db().Usage().Month(org, ThisMonth());
  ASSERT_EQ(m.agents.size(), 2u);
  const store::AgentUsage* ua = Find(m, a.id);
  ASSERT_TRUE(ua);
  EXPECT_EQ(ua->allowed, 3);
  EXPECT_EQ(ua->denied, 1);
  EXPECT_EQ(Find(m, b.id)->denied, 1);
  int64_t days_with_counts = 0;
  for (const auto& d : m.days) {
    if (d.date == Today()) {
      EXPECT_EQ(d.allowed, 3);
      EXPECT_EQ(d.denied, 2);
    }
    days_with_counts += d.allowed + d.denied > 0 ? 1 : 0;
  }
  EXPECT_EQ(days_with_counts, 1);
  EXPECT_GE(m.days.size(), 28u) << "every day of the month";
  EXPECT_EQ(m.days.front().date, ThisMonth());
  EXPECT_FALSE(m.limits.monthly_decisions) << "no limit set: unlimited";
}

TEST_F(UsageStore, RefusedValidationsAreCountedForTheirOrganizationAndNeverAsDecisions) {
  std::string user = NewUser();
  store::Agent agent = NewAgent(user);
  std::string org = OrgOf(user);
  int64_t minute =
      std::stoll(Sql().Scalar("SELECT (floor(extract(epoch FROM now()) / 60) * 60)::bigint"));
  Db().Decisions().AddRefusals({{agent.id, minute, 3, 0}, {agent.id, minute - 60, 0, 2}});
  Db().Decisions().AddRefusals({{agent.id, minute, 1, 1}, {Uuid(), minute, 5, 5}});

  EXPECT_EQ(Count("SELECT coalesce(sum(count), 0) FROM rate_limited_counts WHERE agent_id = '" +
                  agent.id + "'"),
            4)
      << "quota_exceeded answers are not rate-limited ones";
  std::string month = Sql().Scalar("SELECT to_char(to_timestamp(" + std::to_string(minute) +
                                   ") AT TIME ZONE 'UTC', 'YYYY-MM-01')");
  store::MonthUsage m = Db().Usage().Month(org, month);
  const store::AgentUsage* u = Find(m, agent.id);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->rate_limited, 4);
  // The earlier minute may fall in the month before.
  EXPECT_GE(u->quota_exceeded, 1);
  EXPECT_EQ(u->allowed + u->denied, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE agent_id = '" + agent.id + "'"), 0);
}

TEST_F(UsageStore, TheMonthlyAllowanceNeverHandsOutMoreThanTheLimitAndStartsFromTheCounters) {
  std::string user = NewUser();
  store::Agent agent = NewAgent(user);
  std::string org = OrgOf(user);
  // Three decisions recorded before the limit was set count against it.
  Db().Decisions().InsertBatch(
      {NewDecision(agent, true), NewDecision(agent, false), NewDecision(agent, true)});
  auto lease = Db().Usage().LeaseMonthly(org, ThisMonth(), 10, 4);
  EXPECT_EQ(lease.granted, 4);
  EXPECT_EQ(lease.leased, 7);
  lease = Db().Usage().LeaseMonthly(org, ThisMonth(), 10, 4);
  EXPECT_EQ(lease.granted, 3) << "the last of the month, less than a block";
  EXPECT_EQ(lease.leased, 10);
  lease = Db().Usage().LeaseMonthly(org, ThisMonth(), 10, 4);
  EXPECT_EQ(lease.granted, 0);
  EXPECT_EQ(lease.leased, 10);
  // A raised limit hands out the difference; another month starts from its own counters.
  EXPECT_EQ(Db().Usage().LeaseMonthly(org, ThisMonth(), 12, 4).granted, 2);
  EXPECT_EQ(Db().Usage().LeaseMonthly(org, "2001-01-01", 12, 4).granted, 4);

  // Decisions recorded without a lease (the previous release, an unlimited spell) are caught
  // up with: the counters are the floor of what was handed out.
  std::string other = NewUser();
  store::Agent busy = NewAgent(other);
  std::string org2 = OrgOf(other);
  EXPECT_EQ(Db().Usage().LeaseMonthly(org2, ThisMonth(), 5, 1).granted, 1);
  Db().Decisions().InsertBatch({NewDecision(busy, true), NewDecision(busy, true),
                                NewDecision(busy, true), NewDecision(busy, true),
                                NewDecision(busy, true)});
  EXPECT_EQ(Db().Usage().LeaseMonthly(org2, ThisMonth(), 5, 1).granted, 0);
}

TEST_F(UsageStore, ConcurrentLeasesOfOneMonthAddUpToExactlyTheLimit) {
  std::string user = NewUser();
  std::string org = OrgOf(user);
  std::atomic<int64_t> granted{0};
  RunTogether(4, [&](int) {
    for (int i = 0; i < 20; ++i) {
      granted += Db().Usage().LeaseMonthly(org, ThisMonth(), 50, 3).granted;
    }
  });
  EXPECT_EQ(granted.load(), 50);
}

TEST_F(UsageStore, LimitsAreTheOperatorsAndAbsentForNoSuchOrganization) {
  std::string user = NewUser();
  std::string org = OrgOf(user);
  Sql().Scalar("UPDATE organizations SET monthly_decisions = 2000, max_agents = 3 WHERE id = '" +
               org + "' RETURNING 1");
  auto limits = Db().Usage().Limits(org);
  ASSERT_TRUE(limits);
  EXPECT_EQ(limits->monthly_decisions, 2000);
  EXPECT_EQ(limits->max_agents, 3);
  EXPECT_FALSE(Db().Usage().Limits(Uuid()));
  EXPECT_EQ(Db().Usage().Month(org, ThisMonth()).limits.monthly_decisions, 2000);
}

}  // namespace
}  // namespace oakgate::test
