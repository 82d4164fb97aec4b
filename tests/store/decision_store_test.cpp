// The decision store: a batch written in one statement reads back field by field, and the
// lookup that resolves a commit in doubt finds exactly the decisions that were stored.
#include "tests/store/store_test.hpp"

namespace oakgate::test {
namespace {

class DecisionStore : public StoreTest {};

TEST_F(DecisionStore, ADecisionReadsBackAsItWasWritten) {
  store::Agent agent = NewAgent(NewUser());
  store::DecisionRecord denied;
  denied.id = Uuid();
  denied.agent_id = agent.id;
  denied.key_id = "pk_0000000000000000";
  denied.tool = "files";
  denied.scope = "write";
  denied.reason = "no_rule";
  denied.reasoning = "needs to save a report";
  denied.reasoning_required = true;
  denied.reasoning_provided = true;
  denied.context_json = R"({"path":"/tmp/report"})";
  denied.request_id = "req-1";
  store::DecisionRecord allowed = denied;
  allowed.id = Uuid();
  allowed.allowed = true;
  allowed.reason.reset();
  allowed.reasoning.reset();
  allowed.context_json.reset();

  auto ids = Db().Decisions().InsertBatch({denied, allowed});
  EXPECT_EQ(ids.size(), 2u);

  auto d = Db().Decisions().Find(agent.org_id, denied.id).value();
  EXPECT_EQ(d.agent_id, agent.id);
  EXPECT_EQ(d.tool, "files");
  EXPECT_EQ(d.scope, "write");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "no_rule");
  EXPECT_EQ(d.reasoning, "needs to save a report");
  EXPECT_TRUE(d.reasoning_required);
  EXPECT_TRUE(d.reasoning_provided);
  ASSERT_TRUE(d.context_json);
  EXPECT_NE(d.context_json->find("/tmp/report"), std::string::npos);
  EXPECT_EQ(d.request_id, "req-1");
  EXPECT_GT(d.created_at, 0);

  auto a = Db().Decisions().Find(agent.org_id, allowed.id).value();
  EXPECT_TRUE(a.allowed);
  EXPECT_FALSE(a.reason);
  EXPECT_FALSE(a.reasoning);
  EXPECT_FALSE(a.context_json);
  EXPECT_NE(a.seq, d.seq);  // each row its own place in the keyset order

  // Another user's decision is not found.
  EXPECT_FALSE(Db().Decisions().Find(NewUser(), denied.id));
}

TEST_F(DecisionStore, TheInDoubtLookupFindsExactlyTheStoredDecisions) {
  store::Agent agent = NewAgent(NewUser());
  store::DecisionRecord d;
  d.id = Uuid();
  d.agent_id = agent.id;
  d.tool = "files";
  d.scope = "read";
  d.allowed = true;
  ASSERT_EQ(Db().Decisions().InsertBatch({d}).size(), 1u);

  std::string never = Uuid();
  auto found = Db().Decisions().FindExisting({never, d.id});
  EXPECT_EQ(found, std::vector<std::string>{d.id});
  EXPECT_TRUE(Db().Decisions().FindExisting({never}).empty());
}

}  // namespace
}  // namespace oakgate::test
