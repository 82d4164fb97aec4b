// The audit trail query (issue 6): GET /api/v1/audit-events for the caller's own events and
// `oakgate audit list` for operators, against the real binary and a real PostgreSQL.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;

struct Owner {
  std::string user_id;
  std::string email;
  std::string token;
};

class AuditEventsE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    CreateTestClient(gw_->env(), "mgmt");
    alice_ = NewOwner("alice@example.com");
    bob_ = NewOwner("bob@example.com");
    // Each agent creation writes one agent.created event of its owner; a key one more.
    for (const char* name : {"a1", "a2", "a3", "a4", "a5"}) {
      ASSERT_EQ(CallApi(Port(), "POST", "/api/v1/agents", alice_.token, {{"name", name}}).status,
                201);
    }
    ASSERT_EQ(
        CallApi(Port(), "POST", "/api/v1/auth/api-keys", alice_.token, {{"name", "k"}}).status,
        201);
    ASSERT_EQ(CallApi(Port(), "POST", "/api/v1/agents", bob_.token, {{"name", "b1"}}).status, 201);
  }
  static void TearDownTestSuite() {
    delete gw_;
    delete db_;
  }
  static int Port() { return gw_->port(); }
  static Owner NewOwner(const std::string& email) {
    Owner o;
    o.email = email;
    o.user_id = CreateTestUser(gw_->env(), email);
    o.token = IssueTestAccessToken(db_->url(), "mgmt", o.user_id, "keys agents");
    return o;
  }
  static json Events(const Owner& o, const std::string& query = "") {
    auto r = CallApi(Port(), "GET", "/api/v1/audit-events" + query, o.token);
    EXPECT_EQ(r.status, 200) << r.raw.body;
    return r.body;
  }
  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static Owner alice_, bob_;
};
TestDatabase* AuditEventsE2E::db_ = nullptr;
GatewayProcess* AuditEventsE2E::gw_ = nullptr;
Owner AuditEventsE2E::alice_, AuditEventsE2E::bob_;

TEST_F(AuditEventsE2E, ListsTheCallersOwnEventsNewestFirst) {
  json page = Events(alice_);
  ASSERT_TRUE(page["data"].is_array());
  EXPECT_TRUE(page["next_cursor"].is_null());
  ASSERT_GE(page["data"].size(), 6u);
  int64_t previous = INT64_MAX;
  std::set<std::string> types;
  for (const auto& e : page["data"]) {
    EXPECT_EQ(e["user_id"], alice_.user_id) << e.dump();
    int64_t id = std::stoll(e["id"].get<std::string>());
    EXPECT_LT(id, previous) << "newest first";
    previous = id;
    types.insert(e["type"]);
    EXPECT_TRUE(e["created_at"].is_string());
    EXPECT_TRUE(e["details"].is_object());
  }
  EXPECT_TRUE(types.count("agent.created"));
  EXPECT_TRUE(types.count("api_key.created"));
  // The newest is the key, created after the agents.
  EXPECT_EQ(page["data"][0]["type"], "api_key.created");
}

TEST_F(AuditEventsE2E, AUserNeverSeesAnotherUsersEvents) {
  std::set<std::string> bob_ids;
  json bobs = Events(bob_);  // kept: a range-for over a temporary's member would dangle
  for (const auto& e : bobs["data"]) {
    EXPECT_EQ(e["user_id"], bob_.user_id);
    bob_ids.insert(e["id"]);
  }
  ASSERT_FALSE(bob_ids.empty());
  json alices = Events(alice_, "?limit=200");
  for (const auto& e : alices["data"]) {
    EXPECT_FALSE(bob_ids.count(e["id"])) << "alice sees bob's event " << e.dump();
  }
  // A cursor is only a position: bob paging from alice's newest id still sees his own only.
  json alice_first = Events(alice_, "?limit=1").at("data").at(0);
  json from_cursor = Events(bob_, "?cursor=" + alice_first["id"].get<std::string>());
  for (const auto& e : from_cursor["data"]) {
    EXPECT_EQ(e["user_id"], bob_.user_id);
  }
  // There is no parameter that names a user.
  auto r = CallApi(Port(), "GET", "/api/v1/audit-events?user_id=" + bob_.user_id, alice_.token);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["field"], "user_id");
}

TEST_F(AuditEventsE2E, KeysetPaginationVisitsEveryEventOnce) {
  std::vector<std::string> all;
  json everything = Events(alice_, "?limit=200");
  for (const auto& e : everything["data"]) all.push_back(e["id"]);
  std::vector<std::string> paged;
  std::string query = "?limit=2";
  for (int guard = 0; guard < 100; ++guard) {
    json page = Events(alice_, query);
    EXPECT_LE(page["data"].size(), 2u);
    for (const auto& e : page["data"]) paged.push_back(e["id"]);
    if (page["next_cursor"].is_null()) break;
    query = "?limit=2&cursor=" + page["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(paged, all);
}

TEST_F(AuditEventsE2E, FiltersByTypeAndTime) {
  json keys = Events(alice_, "?type=api_key.created");
  ASSERT_EQ(keys["data"].size(), 1u);
  EXPECT_EQ(keys["data"][0]["type"], "api_key.created");
  // Five agents, and the "default" agent the key without agent_id created.
  EXPECT_EQ(Events(alice_, "?type=agent.created")["data"].size(), 6u);
  EXPECT_EQ(Events(alice_, "?type=no.such.type")["data"].size(), 0u);
  EXPECT_EQ(Events(alice_, "?from=2999-01-01T00:00:00Z")["data"].size(), 0u);
  EXPECT_EQ(Events(alice_, "?to=2000-01-01T00:00:00Z")["data"].size(), 0u);
  EXPECT_GE(
      Events(alice_, "?from=2000-01-01T00:00:00%2B02:00&to=2999-01-01T00:00:00Z")["data"].size(),
      6u);
}

TEST_F(AuditEventsE2E, BadParametersAre400WithTheRfcStyleError) {
  struct Case {
    std::string query;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{{"limit=0", "limit"},
                                         {"limit=201", "limit"},
                                         {"limit=ten", "limit"},
                                         {"cursor=abc", "cursor"},
                                         {"cursor=-5", "cursor"},
                                         {"type=bad%20type", "type"},
                                         {"type=", "type"},
                                         {"from=yesterday", "from"},
                                         {"to=2026-13-01T00:00:00Z", "to"},
                                         {"limit=1&limit=2", "limit"},
                                         {"colour=blue", "colour"}}) {
    auto r = CallApi(Port(), "GET", "/api/v1/audit-events?" + c.query, alice_.token);
    EXPECT_EQ(r.status, 400) << c.query;
    EXPECT_EQ(r.raw.Header("content-type").value_or(""), "application/json") << c.query;
    EXPECT_EQ(r.body["error"], "invalid_request") << c.query;
    EXPECT_TRUE(r.body["error_description"].is_string()) << c.query;
    EXPECT_EQ(r.body["field"], c.field) << c.query;
  }
}

TEST_F(AuditEventsE2E, NeedsAnAccessTokenWithTheAgentsScope) {
  auto none = CallApi(Port(), "GET", "/api/v1/audit-events", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.body["error"], "invalid_token");
  std::string keys_only = IssueTestAccessToken(db_->url(), "mgmt", alice_.user_id, "keys");
  auto r = CallApi(Port(), "GET", "/api/v1/audit-events", keys_only);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body["error"], "insufficient_scope");
}

TEST_F(AuditEventsE2E, CliListsEventsForOperators) {
  auto run = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"audit", "list"});
    return RunOakgate(args, gw_->env());
  };
  auto by_email = run({"--user", "alice@example.com"});
  ASSERT_EQ(by_email.exit_code, 0) << by_email.err;
  json events = json::parse(by_email.out);
  ASSERT_TRUE(events.is_array());
  ASSERT_GE(events.size(), 6u);
  for (const auto& e : events) EXPECT_EQ(e["user_id"], alice_.user_id);

  auto by_id = run({"--user", bob_.user_id, "--type", "agent.created"});
  ASSERT_EQ(by_id.exit_code, 0) << by_id.err;
  json bobs = json::parse(by_id.out);
  ASSERT_EQ(bobs.size(), 1u);
  EXPECT_EQ(bobs[0]["user_id"], bob_.user_id);

  auto everyone = run({"--limit", "200"});
  ASSERT_EQ(everyone.exit_code, 0) << everyone.err;
  std::set<std::string> users;
  json all_events = json::parse(everyone.out);
  for (const auto& e : all_events) {
    if (e["user_id"].is_string()) users.insert(e["user_id"]);
  }
  EXPECT_TRUE(users.count(alice_.user_id) && users.count(bob_.user_id));

  auto one = run({"--limit", "1"});
  ASSERT_EQ(one.exit_code, 0);
  EXPECT_EQ(json::parse(one.out).size(), 1u);
  EXPECT_EQ(json::parse(run({"--since", "2999-01-01T00:00:00Z"}).out).size(), 0u);

  EXPECT_EQ(run({"--since", "yesterday"}).exit_code, 2);
  EXPECT_EQ(run({"--limit", "0"}).exit_code, 2);
  EXPECT_EQ(run({"--type", "bad type"}).exit_code, 2);
  auto unknown = run({"--user", "nobody@example.com"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no user"), std::string::npos);
}

}  // namespace
}  // namespace oakgate::test
