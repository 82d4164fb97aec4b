// Policies (CONTRACT §10) against the real binary on PostgreSQL: rule effects (allow, deny,
// ask), conditions on the validate body's context, priority within a level, rules refused on
// write naming the field, and the approval life cycle: pending (202), one approval for a
// repeated request, approve or deny by people, the agent's long poll, one use bound to tool,
// scope and context, expiry by the gateway's clock (moved by tests/support/shifted_clock.cpp),
// every step an audit event and a decision record; and 500 agents long-polling at once while
// /healthz and /v1/validate keep answering at their normal pace.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/api_client.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/teams.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::map<std::string, std::string> ShiftedClock(int64_t offset_seconds) {
  std::string asan = getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "";
  return {{"LD_PRELOAD", OAKGATE_SHIFTED_CLOCK},
          {"OAKGATE_TEST_CLOCK_OFFSET", std::to_string(offset_seconds)},
          {"ASAN_OPTIONS", asan + (asan.empty() ? "" : ":") + "verify_asan_link_order=0"}};
}

class PoliciesE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    CreateTestClient(gw_->env(), "mgmt");
  }
  static void TearDownTestSuite() {
    delete gw_;
    delete db_;
    gw_ = nullptr;
    db_ = nullptr;
  }

  struct Owner {
    std::string id;
    std::string token;
  };
  static Owner NewOwner(const std::string& email) {
    Owner o;
    o.id = CreateTestUser(gw_->env(), email);
    o.token = IssueTestAccessToken(db_->url(), "mgmt", o.id, "keys agents");
    return o;
  }

  // An agent with the tools fs{read, write} and github{read}, no rules, and a key.
  static SeededAgent Agent(const Owner& o, const std::string& name) {
    return SeedAgent(port(), o.token, name, {{"fs", {"read", "write"}}, {"github", {"read"}}}, {});
  }

  static json Rule(const Owner& o, const SeededAgent& a, const json& body) {
    auto r = CallApi(port(), "POST", "/api/v1/agents/" + a.id + "/rules", o.token, body);
    EXPECT_EQ(r.status, 201) << r.raw.body;
    return r.body;
  }

  static JsonResponse Validate(const SeededAgent& a, const json& body) {
    return CallValidate(port(), a.key, body);
  }

  static JsonResponse AgentApproval(const SeededAgent& a, const std::string& id,
                                    const std::string& query = "") {
    return ParseJsonResponse(
        Fetch(port(), "GET", "/v1/approvals/" + id + query, {{"X-API-Key", a.key}}));
  }

  static int64_t Count(const std::string& sql) { return std::stoll(db_->Scalar(sql)); }
  static int port() { return gw_->port(); }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
};

TestDatabase* PoliciesE2E::db_ = nullptr;
GatewayProcess* PoliciesE2E::gw_ = nullptr;

TEST_F(PoliciesE2E, ADenyRuleDeniesNamingItselfAndAnAllowRuleStillGrants) {
  Owner o = NewOwner("effects@example.com");
  SeededAgent a = Agent(o, "effects");
  json allow = Rule(o, a, {{"tool", "fs"}, {"scope", "*"}});
  EXPECT_EQ(allow["effect"], "allow") << "an existing rule's meaning is the default";
  EXPECT_EQ(allow["conditions"], json::array());
  EXPECT_EQ(allow["priority"], 0);
  EXPECT_EQ(allow["approval_ttl"], 3600);
  json deny = Rule(o, a, {{"tool", "fs"}, {"scope", "write"}, {"effect", "deny"}});

  auto read = Validate(a, {{"tool", "fs"}, {"scope", "read"}});
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body["allowed"], true);
  EXPECT_EQ(read.body["rule_id"], allow["id"]);
  auto write = Validate(a, {{"tool", "fs"}, {"scope", "write"}});
  EXPECT_EQ(write.status, 200);
  EXPECT_EQ(write.body["allowed"], false);
  EXPECT_EQ(write.body["reason"], "denied_by_rule");
  EXPECT_EQ(write.body["rule_id"], deny["id"]);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE reason = 'denied_by_rule' AND rule_id = '" +
                  deny["id"].get<std::string>() + "'"),
            1)
      << "a denial by a rule is recorded with the rule";
}

TEST_F(PoliciesE2E, ConditionsOnTheContextDecideAndAFailedOneIsNamedWhenNothingElseDecides) {
  Owner o = NewOwner("conditions@example.com");
  SeededAgent a = Agent(o, "conditions");
  json tmp = Rule(o, a,
                  {{"tool", "fs"},
                   {"scope", "write"},
                   {"conditions",
                    {{{"field", "context.path"}, {"op", "glob"}, {"value", "/tmp/**"}},
                     {{"field", "context.size"}, {"op", "lte"}, {"value", 1024}}}}});
  auto ok = Validate(
      a,
      {{"tool", "fs"}, {"scope", "write"}, {"context", {{"path", "/tmp/a/b.txt"}, {"size", 10}}}});
  EXPECT_EQ(ok.body["allowed"], true) << ok.raw.body;
  EXPECT_EQ(ok.body["rule_id"], tmp["id"]);

  auto etc = Validate(
      a,
      {{"tool", "fs"}, {"scope", "write"}, {"context", {{"path", "/etc/passwd"}, {"size", 10}}}});
  EXPECT_EQ(etc.body["allowed"], false);
  EXPECT_EQ(etc.body["reason"], "no_rule");
  EXPECT_EQ(etc.body["failed_condition"],
            json({{"rule_id", tmp["id"]}, {"field", "context.path"}, {"op", "glob"}}));
  auto big = Validate(
      a, {{"tool", "fs"}, {"scope", "write"}, {"context", {{"path", "/tmp/x"}, {"size", 4096}}}});
  EXPECT_EQ(big.body["failed_condition"]["field"], "context.size");
  auto none = Validate(a, {{"tool", "fs"}, {"scope", "write"}});
  EXPECT_EQ(none.body["reason"], "no_rule") << "a missing field fails glob";

  // A less specific rule decides when the more specific one's conditions fail: no
  // failed_condition then.
  json fallback = Rule(o, a, {{"tool", "*"}, {"scope", "*"}, {"effect", "deny"}});
  auto denied = Validate(
      a, {{"tool", "fs"}, {"scope", "write"}, {"context", {{"path", "/etc/passwd"}, {"size", 1}}}});
  EXPECT_EQ(denied.body["reason"], "denied_by_rule");
  EXPECT_EQ(denied.body["rule_id"], fallback["id"]);
  EXPECT_FALSE(denied.body.contains("failed_condition"));
}

TEST_F(PoliciesE2E, WithinALevelTheHigherPriorityRuleIsTriedFirst) {
  Owner o = NewOwner("priority@example.com");
  SeededAgent a = Agent(o, "priority");
  json allow = Rule(o, a, {{"tool", "github"}, {"scope", "read"}, {"priority", 1}});
  json deny =
      Rule(o, a,
           {{"tool", "github"},
            {"scope", "read"},
            {"effect", "deny"},
            {"priority", 10},
            {"conditions",
             {{{"field", "context.repo.owner"}, {"op", "in"}, {"value", {"evil", "worse"}}}}}});
  auto evil = Validate(
      a, {{"tool", "github"}, {"scope", "read"}, {"context", {{"repo", {{"owner", "evil"}}}}}});
  EXPECT_EQ(evil.body["reason"], "denied_by_rule");
  EXPECT_EQ(evil.body["rule_id"], deny["id"]);
  auto good = Validate(
      a, {{"tool", "github"}, {"scope", "read"}, {"context", {{"repo", {{"owner", "oakgate"}}}}}});
  EXPECT_EQ(good.body["allowed"], true);
  EXPECT_EQ(good.body["rule_id"], allow["id"]);
  // Priorities change through PATCH, and the cache follows at once.
  auto patched = CallApi(port(), "PATCH",
                         "/api/v1/agents/" + a.id + "/rules/" + allow["id"].get<std::string>(),
                         o.token, {{"priority", 100}});
  ASSERT_EQ(patched.status, 200) << patched.raw.body;
  EXPECT_EQ(patched.body["priority"], 100);
  auto now_allowed = Validate(
      a, {{"tool", "github"}, {"scope", "read"}, {"context", {{"repo", {{"owner", "evil"}}}}}});
  EXPECT_EQ(now_allowed.body["allowed"], true);
}

TEST_F(PoliciesE2E, ARuleThatCannotBeEvaluatedIsRefusedOnWriteNamingTheField) {
  Owner o = NewOwner("refused@example.com");
  SeededAgent a = Agent(o, "refused");
  struct Case {
    json body;
    std::string field;
  };
  auto cond = [](json c) {
    return json{
        {"tool", "fs"}, {"scope", "read"}, {"conditions", json::array({json::object(), c})}};
  };
  const json ok_first = {{"field", "context.a"}, {"op", "exists"}, {"value", true}};
  auto two = [&](json c) {
    return json{{"tool", "fs"}, {"scope", "read"}, {"conditions", json::array({ok_first, c})}};
  };
  std::vector<Case> cases = {
      {{{"tool", "fs"}, {"scope", "read"}, {"effect", "maybe"}}, "effect"},
      {{{"tool", "fs"}, {"scope", "read"}, {"priority", "high"}}, "priority"},
      {{{"tool", "fs"}, {"scope", "read"}, {"priority", 5000000}}, "priority"},
      {{{"tool", "fs"}, {"scope", "read"}, {"approval_ttl", 5}}, "approval_ttl"},
      {{{"tool", "fs"}, {"scope", "read"}, {"conditions", "path=/tmp"}}, "conditions"},
      {cond({{"field", "context.a"}, {"op", "eq"}, {"value", 1}}), "conditions[0].field"},
      {two({{"field", "path"}, {"op", "eq"}, {"value", "x"}}), "conditions[1].field"},
      {two({{"field", "context..a"}, {"op", "eq"}, {"value", "x"}}), "conditions[1].field"},
      {two({{"field", "context.a"}, {"op", "like"}, {"value", "x"}}), "conditions[1].op"},
      {two({{"field", "context.a"}, {"op", "lt"}, {"value", "10"}}), "conditions[1].value"},
      {two({{"field", "context.a"}, {"op", "in"}, {"value", "x"}}), "conditions[1].value"},
      {two({{"field", "context.a"}, {"op", "exists"}, {"value", "yes"}}), "conditions[1].value"},
      {two({{"field", "context.a"}, {"op", "glob"}, {"value", 3}}), "conditions[1].value"},
      {two({{"field", "context.a"}, {"op", "eq"}}), "conditions[1].value"},
      {two({{"field", "context.a"}, {"op", "eq"}, {"value", 1}, {"extra", 1}}),
       "conditions[1].extra"},
  };
  for (const auto& c : cases) {
    auto r = CallApi(port(), "POST", "/api/v1/agents/" + a.id + "/rules", o.token, c.body);
    EXPECT_EQ(r.status, 400) << c.body.dump();
    EXPECT_EQ(r.body["error"], "invalid_request") << c.body.dump();
    EXPECT_EQ(r.body["field"], c.field) << c.body.dump() << " -> " << r.raw.body;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM rules WHERE agent_id = '" + a.id + "'"), 0);
}

TEST_F(PoliciesE2E, AnAskRuleOpensOneApprovalThatAPersonApprovesAndTheAgentUsesOnce) {
  Owner o = NewOwner("approve@example.com");
  SeededAgent a = Agent(o, "asker");
  json ask =
      Rule(o, a, {{"tool", "fs"}, {"scope", "write"}, {"effect", "ask"}, {"approval_ttl", 600}});
  const json body = {{"tool", "fs"},
                     {"scope", "write"},
                     {"reasoning", "write the report"},
                     {"context", {{"path", "/tmp/report.txt"}}}};
  auto first = Validate(a, body);
  ASSERT_EQ(first.status, 202) << first.raw.body;
  EXPECT_EQ(first.body["allowed"], false);
  EXPECT_EQ(first.body["decision"], "pending");
  EXPECT_EQ(first.body["rule_id"], ask["id"]);
  ASSERT_TRUE(first.body["approval_id"].is_string());
  ASSERT_TRUE(first.body["expires_at"].is_string());
  ASSERT_TRUE(first.body["decision_id"].is_string());
  const std::string id = first.body["approval_id"];

  auto again = Validate(a, body);
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(again.body["approval_id"], id) << "a repeated request waits on the same approval";
  EXPECT_NE(again.body["decision_id"], first.body["decision_id"]) << "but is its own decision";
  json other_context = body;
  other_context["context"]["path"] = "/tmp/other.txt";
  EXPECT_NE(Validate(a, other_context).body["approval_id"], id);

  auto polled = AgentApproval(a, id);
  EXPECT_EQ(polled.status, 200);
  EXPECT_EQ(polled.body["status"], "pending");
  EXPECT_EQ(polled.body["decided_by"], nullptr);
  // Using it early is only the same 202 again.
  json with_id = body;
  with_id["approval_id"] = id;
  EXPECT_EQ(Validate(a, with_id).status, 202);

  auto listed = CallApi(port(), "GET", "/api/v1/approvals?status=pending", o.token);
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body["data"].size(), 2u);
  auto mine = std::find_if(listed.body["data"].begin(), listed.body["data"].end(),
                           [&](const json& x) { return x["id"] == id; });
  ASSERT_NE(mine, listed.body["data"].end());
  EXPECT_EQ((*mine)["agent_name"], "asker");
  EXPECT_EQ((*mine)["reasoning"], "write the report");
  EXPECT_EQ((*mine)["context"], body["context"]);

  auto approved = CallApi(port(), "POST", "/api/v1/approvals/" + id + "/approve", o.token,
                          {{"comment", "fine, once"}});
  ASSERT_EQ(approved.status, 200) << approved.raw.body;
  EXPECT_EQ(approved.body["status"], "approved");
  EXPECT_EQ(approved.body["decided_by"], o.id);
  EXPECT_EQ(CallApi(port(), "POST", "/api/v1/approvals/" + id + "/deny", o.token).status, 409)
      << "a decided approval cannot be decided again";
  auto seen = AgentApproval(a, id);
  EXPECT_EQ(seen.body["status"], "approved");
  EXPECT_EQ(seen.body["comment"], "fine, once");

  json elsewhere = with_id;
  elsewhere["context"]["path"] = "/etc/passwd";
  auto mismatch = Validate(a, elsewhere);
  EXPECT_EQ(mismatch.body["reason"], "approval_mismatch") << "bound to the context it asked for";
  auto used = Validate(a, with_id);
  ASSERT_EQ(used.status, 200) << used.raw.body;
  EXPECT_EQ(used.body["allowed"], true);
  EXPECT_EQ(used.body["approval_id"], id);
  auto twice = Validate(a, with_id);
  EXPECT_EQ(twice.body["allowed"], false);
  EXPECT_EQ(twice.body["reason"], "approval_used");
  EXPECT_EQ(AgentApproval(a, id).body["status"], "used");

  // Every step is on record.
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE approval_id = '" + id +
                  "' AND reason = 'pending'"),
            3);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE approval_id = '" + id + "' AND allowed"),
            1);
  for (const char* type : {"approval.requested", "approval.approved", "approval.used"}) {
    EXPECT_EQ(Count(std::string("SELECT count(*) FROM audit_events WHERE type = '") + type +
                    "' AND subject = 'approval:" + id + "'"),
              1)
        << type;
  }
  // Another agent cannot read it.
  SeededAgent stranger = Agent(o, "stranger");
  EXPECT_EQ(AgentApproval(stranger, id).status, 404);
}

TEST_F(PoliciesE2E, ADeniedApprovalIsNeverUsableAndOnlyOwnersAndAdminsDecide) {
  TeamUser owner = MakeTeamUser(gw_->env(), db_->url(), "deny-owner@example.com");
  TeamUser member = MakeTeamUser(gw_->env(), db_->url(), "deny-member@example.com");
  std::string org = MakeOrg(port(), owner, "Deniers", "deniers");
  auto added = RunOakgate(
      {"org", "add-member", "--org", org, "--user", member.email, "--role", "member"}, gw_->env());
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto agent = CallApiIn(port(), "POST", "/api/v1/agents", owner.token, org, {{"name", "bot"}});
  ASSERT_EQ(agent.status, 201) << agent.raw.body;
  std::string agent_id = agent.body["id"];
  ASSERT_EQ(CallApiIn(port(), "POST", "/api/v1/agents/" + agent_id + "/tools", owner.token, org,
                      {{"name", "db"}, {"scopes", {"drop"}}})
                .status,
            201);
  ASSERT_EQ(CallApiIn(port(), "POST", "/api/v1/agents/" + agent_id + "/rules", owner.token, org,
                      {{"tool", "db"}, {"scope", "drop"}, {"effect", "ask"}})
                .status,
            201);
  auto key = CallApiIn(port(), "POST", "/api/v1/auth/api-keys", owner.token, org,
                       {{"agent_id", agent_id}, {"name", "k"}});
  ASSERT_EQ(key.status, 201) << key.raw.body;
  SeededAgent a{agent_id, key.body["key"]};
  auto pending = Validate(a, {{"tool", "db"}, {"scope", "drop"}});
  ASSERT_EQ(pending.status, 202);
  std::string id = pending.body["approval_id"];

  auto by_member =
      CallApiIn(port(), "POST", "/api/v1/approvals/" + id + "/approve", member.token, org);
  EXPECT_EQ(by_member.status, 403) << "a member sees approvals but does not decide them";
  EXPECT_EQ(CallApiIn(port(), "GET", "/api/v1/approvals/" + id, member.token, org).status, 200);
  EXPECT_EQ(CallApi(port(), "POST", "/api/v1/approvals/" + id + "/approve", owner.token).status,
            404)
      << "from another organization the approval does not exist";
  auto denied = CallApiIn(port(), "POST", "/api/v1/approvals/" + id + "/deny", owner.token, org,
                          {{"comment", "never in production"}});
  ASSERT_EQ(denied.status, 200) << denied.raw.body;
  EXPECT_EQ(denied.body["status"], "denied");
  auto use = Validate(a, {{"tool", "db"}, {"scope", "drop"}, {"approval_id", id}});
  EXPECT_EQ(use.body["allowed"], false);
  EXPECT_EQ(use.body["reason"], "approval_denied");
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE type = 'approval.denied' AND subject = "
                  "'approval:" +
                  id + "'"),
            1);
}

TEST_F(PoliciesE2E, AnAgentsLongPollReturnsWhenAPersonDecidesAndOtherwiseWhenItsTimeIsUp) {
  Owner o = NewOwner("poll@example.com");
  SeededAgent a = Agent(o, "poller");
  Rule(o, a, {{"tool", "fs"}, {"scope", "write"}, {"effect", "ask"}});
  std::string id = Validate(a, {{"tool", "fs"}, {"scope", "write"}}).body["approval_id"];

  EXPECT_EQ(AgentApproval(a, id, "?wait=31").status, 400);
  EXPECT_EQ(AgentApproval(a, id, "?wait=soon").status, 400);
  EXPECT_EQ(AgentApproval(a, id, "?wait=1&wait=2").status, 400);

  auto started = std::chrono::steady_clock::now();
  auto timed_out = AgentApproval(a, id, "?wait=1");
  EXPECT_EQ(timed_out.body["status"], "pending");
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(900))
      << "the answer waited for its time";

  HttpConnection waiting(port());
  waiting.SendRaw("GET /v1/approvals/" + id +
                  "?wait=30 HTTP/1.1\r\nHost: x\r\nX-API-Key: " + a.key + "\r\n\r\n");
  ASSERT_TRUE(Eventually([&] {
    return db_->Scalar("SELECT 1") == "1" &&
           Fetch(port(), "GET", "/metrics").body.find("oakgate_approval_waits 1") !=
               std::string::npos;
  })) << "the wait is parked";
  started = std::chrono::steady_clock::now();
  ASSERT_EQ(CallApi(port(), "POST", "/api/v1/approvals/" + id + "/approve", o.token).status, 200);
  auto answered = waiting.Read(seconds(20));
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 200);
  EXPECT_EQ(json::parse(answered->body)["status"], "approved");
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(10))
      << "the decision, not the 30 s, ended the wait";
}

TEST_F(PoliciesE2E, AnApprovalExpiresByTheGatewaysClockAndCanThenBeNeitherDecidedNorUsed) {
  Owner o = NewOwner("expire@example.com");
  SeededAgent a = Agent(o, "expirer");
  Rule(o, a, {{"tool", "fs"}, {"scope", "write"}, {"effect", "ask"}, {"approval_ttl", 60}});
  std::string id = Validate(a, {{"tool", "fs"}, {"scope", "write"}}).body["approval_id"];
  EXPECT_EQ(AgentApproval(a, id).body["status"], "pending");
  // Two minutes later, by a second gateway on the same database whose clock runs ahead.
  GatewayProcess later(db_->url(), ShiftedClock(120));
  auto seen =
      ParseJsonResponse(Fetch(later.port(), "GET", "/v1/approvals/" + id, {{"X-API-Key", a.key}}));
  EXPECT_EQ(seen.body["status"], "expired");
  EXPECT_EQ(CallApi(later.port(), "POST", "/api/v1/approvals/" + id + "/approve", o.token).status,
            409);
  auto use =
      CallValidate(later.port(), a.key, {{"tool", "fs"}, {"scope", "write"}, {"approval_id", id}});
  EXPECT_EQ(use.body["reason"], "approval_expired");
  auto fresh = CallValidate(later.port(), a.key, {{"tool", "fs"}, {"scope", "write"}});
  EXPECT_EQ(fresh.status, 202);
  EXPECT_NE(fresh.body["approval_id"], id) << "an expired approval frees the request for a new one";
}

// The 95th-percentile latency of `n` sequential calls of `call`.
template <typename Call>
milliseconds P95(int n, Call&& call) {
  std::vector<milliseconds> took;
  for (int i = 0; i < n; ++i) {
    auto t = std::chrono::steady_clock::now();
    call();
    took.push_back(std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t));
  }
  std::sort(took.begin(), took.end());
  return took[static_cast<size_t>(n * 95 / 100)];
}

TEST_F(PoliciesE2E, FiveHundredAgentsLongPollingAtOnceDoNotHoldUpHealthOrValidation) {
  // Eight workers: were a wait to hold one, the ninth waiting agent would stall every other
  // request that needs the pool.
  GatewayProcess g(db_->url(), {{"OAKGATE_DB_POOL", "8"}});
  Owner o = NewOwner("crowd@example.com");
  SeededAgent a = SeedAgent(g.port(), o.token, "crowd", {{"fs", {"read", "write"}}},
                            {{"fs", "read", "none"}}, 1000000, 100000);
  ASSERT_EQ(CallApi(g.port(), "POST", "/api/v1/agents/" + a.id + "/rules", o.token,
                    {{"tool", "fs"}, {"scope", "write"}, {"effect", "ask"}})
                .status,
            201);
  const int kAgents = 500;
  std::vector<std::string> ids;
  for (int i = 0; i < kAgents; ++i) {
    auto r = CallValidate(g.port(), a.key,
                          {{"tool", "fs"}, {"scope", "write"}, {"context", {{"n", i}}}});
    ASSERT_EQ(r.status, 202) << r.raw.body;
    ids.push_back(r.body["approval_id"]);
  }
  auto health = [&] { EXPECT_EQ(Fetch(g.port(), "GET", "/healthz").status, 200); };
  auto validate = [&] {
    // A fresh connection each time; fs:read has an allow rule and no ask rule, so this is
    // the common path, answered once its decision commits.
    EXPECT_EQ(CallValidate(g.port(), a.key, {{"tool", "fs"}, {"scope", "read"}}).status, 200);
  };
  milliseconds health_before = P95(100, health), validate_before = P95(100, validate);

  std::vector<std::unique_ptr<HttpConnection>> waits;
  for (int i = 0; i < kAgents; ++i) {
    waits.push_back(std::make_unique<HttpConnection>(g.port()));
    waits.back()->SendRaw("GET /v1/approvals/" + ids[i] + "?wait=30 HTTP/1.1\r\nHost: x\r\n" +
                          "X-API-Key: " + a.key + "\r\n\r\n");
  }
  ASSERT_TRUE(Eventually(
      [&] {
        return Fetch(g.port(), "GET", "/metrics").body.find("oakgate_approval_waits 500") !=
               std::string::npos;
      },
      seconds(30)))
      << "every wait is parked";
  milliseconds health_during = P95(100, health), validate_during = P95(100, validate);
  // Generous: the point is that nothing waits on the parked polls (which would take seconds).
  EXPECT_LT(health_during, std::max(health_before * 5, milliseconds(250)))
      << "before " << health_before.count() << " ms";
  EXPECT_LT(validate_during, std::max(validate_before * 5, milliseconds(500)))
      << "before " << validate_before.count() << " ms";
  // An approval on another path of the pool is decided while they wait.
  std::string decided = ids[0];
  ASSERT_EQ(CallApi(g.port(), "POST", "/api/v1/approvals/" + decided + "/approve", o.token).status,
            200);
  auto first = waits[0]->Read(seconds(20));
  ASSERT_TRUE(first);
  EXPECT_EQ(json::parse(first->body)["status"], "approved");
  // A stop drains: every other wait is answered with what it reads now, none is cut off.
  std::thread stop([&] { g.Stop(); });
  int answered = 0;
  for (int i = 1; i < kAgents; ++i) {
    auto r = waits[i]->Read(seconds(30));
    if (r && r->status == 200 && json::parse(r->body)["status"] == "pending") ++answered;
  }
  stop.join();
  EXPECT_EQ(answered, kAgents - 1);
}

}  // namespace
}  // namespace oakgate::test
