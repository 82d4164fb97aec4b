// Keyset pages (the decision log and the audit trail): walking the pages while new rows
// arrive yields every row that was there when the walk began, once each, newest first.
#include <set>

#include "tests/store/store_test.hpp"

namespace oakgate::test {
namespace {

class KeysetPages : public StoreTest {
 protected:
  static std::vector<std::string> Decide(const store::Agent& agent, int n) {
    std::vector<store::DecisionRecord> batch;
    for (int i = 0; i < n; ++i) {
      store::DecisionRecord d = NewDecision(agent, i % 3 != 0);
      d.request_id = "req-" + std::to_string(i);
      batch.push_back(d);
    }
    return Db().Decisions().InsertBatch(batch);
  }
};

TEST_F(KeysetPages, DecisionPagesStayStableWhileNewDecisionsAreInserted) {
  store::Agent agent = NewAgent(NewUser());
  std::vector<std::string> before_walk = Decide(agent, 25);
  ASSERT_EQ(before_walk.size(), 25u);

  store::DecisionQuery q;
  q.org_id = agent.org_id;
  q.limit = 10;
  std::vector<store::DecisionRecord> seen;
  while (true) {
    auto page = Db().Decisions().List(q);
    seen.insert(seen.end(), page.begin(), page.end());
    if (static_cast<int64_t>(page.size()) < q.limit) break;
    q.before = page.back().seq;
    ASSERT_EQ(Decide(agent, 4).size(), 4u);  // newer rows land above the cursor
  }

  ASSERT_EQ(seen.size(), before_walk.size());
  std::set<std::string> ids;
  for (size_t i = 0; i < seen.size(); ++i) {
    ids.insert(seen[i].id);
    if (i > 0) {
      EXPECT_GT(seen[i - 1].seq, seen[i].seq) << "newest first, no repeats";
    }
  }
  EXPECT_EQ(ids, std::set<std::string>(before_walk.begin(), before_walk.end()));
}

TEST_F(KeysetPages, DecisionFiltersApplyOnEveryPage) {
  store::Agent agent = NewAgent(NewUser());
  Decide(agent, 12);  // 4 denied (i = 0, 3, 6, 9)
  store::DecisionQuery q;
  q.org_id = agent.org_id;
  q.allowed = false;
  q.limit = 3;
  auto first = Db().Decisions().List(q);
  ASSERT_EQ(first.size(), 3u);
  q.before = first.back().seq;
  auto second = Db().Decisions().List(q);
  ASSERT_EQ(second.size(), 1u);
  for (const auto& d : first) EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(second[0].allowed);
  EXPECT_EQ(second[0].reason, "no_rule");
}

TEST_F(KeysetPages, AuditPagesStayStableWhileNewEventsAreRecorded) {
  std::string user = NewUser();
  for (int i = 0; i < 23; ++i) Db().Audit().Record(Audit("test.event", user));

  store::AuditQuery q;
  q.user_id = user;
  q.type = "test.event";
  q.limit = 10;
  std::vector<int64_t> seen;
  while (true) {
    auto page = Db().Audit().List(q);
    for (const auto& r : page) seen.push_back(r.id);
    if (static_cast<int64_t>(page.size()) < q.limit) break;
    q.before = page.back().id;
    for (int i = 0; i < 3; ++i) Db().Audit().Record(Audit("test.event", user));
  }

  ASSERT_EQ(seen.size(), 23u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i - 1], seen[i]);
}

}  // namespace
}  // namespace oakgate::test
