// The decision log's durability (CONTRACT §6): every decision that was answered is in
// PostgreSQL, even when the database connections are killed in the middle of batches; and
// decisions of concurrent requests really share commits (group commit).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;

struct Outcomes {
  std::mutex mutex;
  std::vector<std::string> answered;  // decision ids of 200 answers
  std::map<int, int> statuses;
};

class DecisionLogE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>();
    gw_ = std::make_unique<GatewayProcess>(
        db_->url(), std::map<std::string, std::string>{{"OAKGATE_DB_POOL", "8"},
                                                       {"OAKGATE_DECISION_BATCH_DELAY_MS", "5"}});
    CreateTestClient(gw_->env(), "mgmt");
    std::string user = CreateTestUser(gw_->env(), "log@example.com");
    token_ = IssueTestAccessToken(db_->url(), "mgmt", user, "keys agents");
    const std::string& token = token_;
    auto agent = CallApi(gw_->port(), "POST", "/api/v1/agents", token,
                         {{"name", "busy"}, {"rate_limit", 1000000}, {"burst", 1000000}});
    ASSERT_EQ(agent.status, 201) << agent.raw.body;
    agent_ = agent.body["id"];
    ASSERT_EQ(CallApi(gw_->port(), "POST", "/api/v1/agents/" + agent_ + "/tools", token,
                      {{"name", "github"}, {"scopes", {"read", "write"}}})
                  .status,
              201);
    ASSERT_EQ(CallApi(gw_->port(), "POST", "/api/v1/agents/" + agent_ + "/rules", token,
                      {{"tool", "github"}, {"scope", "read"}})
                  .status,
              201);
    auto key = CallApi(gw_->port(), "POST", "/api/v1/auth/api-keys", token,
                       {{"name", "load"}, {"agent_id", agent_}});
    ASSERT_EQ(key.status, 201);
    key_ = key.body["key"];
  }

  // `clients` keep-alive connections send validations until `stop`; allowed and denied
  // alternate so both kinds are in the batches.
  void Load(int clients, std::atomic<bool>& stop, Outcomes& out) {
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        auto conn = std::make_unique<HttpConnection>(gw_->port());
        int n = 0;
        while (!stop.load()) {
          json body = {{"tool", "github"}, {"scope", (n++ + c) % 2 ? "read" : "write"}};
          auto r = conn->Request("POST", "/v1/validate",
                                 {{"X-API-Key", key_}, {"Content-Type", "application/json"}},
                                 body.dump());
          if (!r) {
            conn = std::make_unique<HttpConnection>(gw_->port());
            continue;
          }
          std::lock_guard lock(out.mutex);
          out.statuses[r->status]++;
          if (r->status == 503 && !r->Header("retry-after")) out.statuses[-503]++;
          if (r->status == 200) {
            json j = json::parse(r->body, nullptr, false);
            out.answered.push_back(j.value("decision_id", ""));
          }
          if (r->Header("connection") == "close") {
            conn = std::make_unique<HttpConnection>(gw_->port());
          }
        }
      });
    }
    for (auto& t : threads) t.join();
  }

  size_t CountStored(const std::vector<std::string>& ids) {
    if (ids.empty()) return 0;
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ",") + id;
    return std::stoul(
        db_->Scalar("SELECT count(*) FROM decisions WHERE id = ANY('{" + list + "}'::uuid[])"));
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<GatewayProcess> gw_;
  std::string agent_, key_, token_;
};

TEST_F(DecisionLogE2E, NoAnsweredDecisionIsLostWhenConnectionsAreKilledMidBatch) {
  std::atomic<bool> stop{false};
  Outcomes out;
  std::thread load([&] { Load(8, stop, out); });
  int kills = 0;
  // At least 3 s of load and more than 10 kills: on a loaded machine a kill (a new connection
  // to PostgreSQL) can take longer than its 120 ms pause, so the count, not the clock, ends it.
  auto start = std::chrono::steady_clock::now();
  auto give_up = start + std::chrono::seconds(30);
  while ((kills <= 10 || std::chrono::steady_clock::now() < start + std::chrono::seconds(3)) &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    try {
      pqxx::connection conn(db_->url());
      pqxx::nontransaction tx(conn);
      tx.exec(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
          " WHERE datname = current_database() AND pid <> pg_backend_pid()");
      ++kills;
    } catch (const std::exception&) {
    }
  }
  // Some more load after the last kill, so the gateway is seen to recover by itself.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  stop.store(true);
  load.join();

  std::ostringstream summary;
  for (const auto& [status, n] : out.statuses) summary << status << ":" << n << " ";
  SCOPED_TRACE("statuses " + summary.str() + " kills " + std::to_string(kills));
  std::cerr << "statuses " << summary.str() << " kills " << kills << "\n";
  EXPECT_GT(kills, 10);
  ASSERT_GT(out.answered.size(), 50u);
  std::set<std::string> unique(out.answered.begin(), out.answered.end());
  EXPECT_EQ(unique.size(), out.answered.size()) << "decision ids are unique";
  EXPECT_EQ(unique.count(""), 0u) << "every 200 carries a decision_id";
  EXPECT_EQ(CountStored(out.answered), out.answered.size())
      << "every answered decision is in the decisions table";
  for (const auto& [status, n] : out.statuses) {
    // -503 counts 503 answers without Retry-After: there must be none.
    EXPECT_TRUE(status == 200 || status == 503) << status << " x" << n;
  }
  // And the gateway serves again without a restart.
  auto after = CallValidate(gw_->port(), key_, {{"tool", "github"}, {"scope", "read"}});
  EXPECT_EQ(after.status, 200) << after.raw.body;
}

TEST_F(DecisionLogE2E, ConcurrentDecisionsShareCommits) {
  std::atomic<bool> stop{false};
  Outcomes out;
  std::thread load([&] { Load(16, stop, out); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop.store(true);
  load.join();
  ASSERT_GT(out.answered.size(), 100u);
  EXPECT_EQ(CountStored(out.answered), out.answered.size());
  // now() is the transaction's start time: decisions committed together share it.
  size_t rows = std::stoul(db_->Scalar("SELECT count(*) FROM decisions"));
  size_t commits = std::stoul(db_->Scalar("SELECT count(DISTINCT created_at) FROM decisions"));
  std::cerr << rows << " decisions in " << commits << " commits\n";
  EXPECT_LT(commits * 2, rows) << "on average at least two decisions per commit";
}

// The batch is written as JSON text by hand (pg_decision_store.cpp): every character that
// JSON escapes must arrive as it was sent, in the text columns and in context.
TEST_F(DecisionLogE2E, DecisionsKeepTheirTextExactly) {
  const std::string reasoning =
      "she said \"hi\" \\ back\n\ttab \x01\x1f caf\xc3\xa9 \xf0\x9f\x9a\x80 </x>";
  json context = {{"path", "a\"b\\c\n\u0002"},
                  {"n", {1, 2.5, json{{"x", nullptr}}, true}},
                  {"\xc3\xbc", "\xe2\x9c\x93"}};
  auto r = CallValidate(
      gw_->port(), key_,
      {{"tool", "github"}, {"scope", "read"}, {"reasoning", reasoning}, {"context", context}});
  ASSERT_EQ(r.status, 200) << r.raw.body;
  std::string id = r.body["decision_id"];
  // RFC 9562 version 7: the first 48 bits are the time in Unix milliseconds.
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '7') << id;
  int64_t ms = std::stoll(id.substr(0, 8) + id.substr(9, 4), nullptr, 16);
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  EXPECT_LT(std::abs(now - ms), 60000) << id;
  pqxx::connection conn(db_->url());
  pqxx::nontransaction tx(conn);
  auto row = tx.exec_params1(
      "SELECT reasoning, context = $2::jsonb, key_id, tool, scope, request_id IS NOT NULL,"
      " user_id = (SELECT user_id FROM agents WHERE id = agent_id)"
      " FROM decisions WHERE id = $1::uuid",
      id, context.dump());
  EXPECT_EQ(row[0].as<std::string>(), reasoning);
  EXPECT_TRUE(row[1].as<bool>()) << "context as sent";
  EXPECT_EQ(row[2].as<std::string>(), key_.substr(0, key_.find('.')));
  EXPECT_EQ(row[3].as<std::string>(), "github");
  EXPECT_EQ(row[4].as<std::string>(), "read");
  EXPECT_TRUE(row[5].as<bool>());
  EXPECT_TRUE(row[6].as<bool>()) << "the decision belongs to the agent's user";
}

// 0006 replaced the decisions' foreign keys by a lock and a trigger: deleting an agent still
// deletes its decisions, and a batch written while the agent is being deleted waits for
// that deletion and then writes nothing for it (its request is answered 503, not 200).
TEST_F(DecisionLogE2E, AnAgentsDecisionsGoWithIt) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(CallValidate(gw_->port(), key_, {{"tool", "github"}, {"scope", "read"}}).status, 200);
  }
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM decisions WHERE agent_id = '" + agent_ + "'"), "3");

  pqxx::connection conn(db_->url());
  pqxx::work deleting(conn);
  deleting.exec_params0("DELETE FROM agents WHERE id = $1::uuid", agent_);
  // The key and the policy are cached, so the decision is made and only its INSERT waits.
  JsonResponse during;
  std::thread validate([&] {
    during = CallValidate(gw_->port(), key_, {{"tool", "github"}, {"scope", "read"}});
  });
  EXPECT_TRUE(db_->WaitsForLock("WITH d AS (INSERT INTO decisions"))
      << "the batch waits for the agent's deletion";
  deleting.commit();
  validate.join();
  EXPECT_EQ(during.status, 503) << during.raw.body;
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM decisions"), "0");
}

}  // namespace
}  // namespace oakgate::test
