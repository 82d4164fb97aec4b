// The dashboard (issue 9) over HTTP against the real binary and a real PostgreSQL: sessions
// and CSRF, server-side validation with the API's rules, isolation between users (a guessed
// id is 404), the admin pages and "sign out everywhere". tests/e2e/dashboard_browser_test.cpp
// drives the same pages in Chromium.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;
constexpr const char* kPassword = "a-test-password-123";  // CreateTestUser's

struct Person {
  std::string id;
  std::string email;
  std::string cookie;  // "oakgate_session=..."
  std::string token;   // access token with keys and agents
};

class DashboardE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    CreateTestClient(gw_->env(), "mgmt");
  }
  static void TearDownTestSuite() {
    delete gw_;
    delete db_;
  }
  void TearDown() override {
    if (HasFailure())
      std::cerr << gw_->Logs().substr(gw_->Logs().size() > 6000 ? gw_->Logs().size() - 6000 : 0);
  }
  static int Port() { return gw_->port(); }
  static Person NewPerson(const std::string& name, bool admin = false) {
    static int n = 0;
    Person p;
    p.email = name + std::to_string(++n) + "@example.com";
    if (admin) {
      auto r = RunOakgate({"user", "create", "--email", p.email, "--password-stdin", "--admin"},
                          gw_->env(), std::string(kPassword) + "\n");
      EXPECT_EQ(r.exit_code, 0) << r.err;
      p.id = json::parse(r.out)["id"];
    } else {
      p.id = CreateTestUser(gw_->env(), p.email);
    }
    p.cookie = LoginSession(Port(), p.email, kPassword);
    p.token = IssueTestAccessToken(db_->url(), "mgmt", p.id, "keys agents");
    return p;
  }
  static HttpResponse Get(const Person& p, const std::string& path) {
    return Fetch(Port(), "GET", path, {{"Cookie", p.cookie}});
  }
  // The CSRF token of a page's forms, as a browser would read it.
  static std::string Csrf(const Person& p, const std::string& page = "/dashboard") {
    return HiddenField(Get(p, page).body, "csrf");
  }
  static HttpResponse Post(const Person& p, const std::string& path,
                           std::vector<std::pair<std::string, std::string>> fields,
                           const std::string& csrf = "") {
    fields.emplace_back("csrf", csrf.empty() ? Csrf(p) : csrf);
    return Fetch(Port(), "POST", path,
                 {{"Cookie", p.cookie}, {"Content-Type", "application/x-www-form-urlencoded"}},
                 FormEncode(fields));
  }
  // The full key in a page ("" when it shows none).
  static std::string KeyIn(const std::string& html) {
    std::smatch m;
    if (!std::regex_search(html, m, std::regex(R"re(id="new-key" value="([^"]*)")re"))) return "";
    return HtmlUnescape(m[1]);
  }
  // A key creation or rotation as a browser follows it (issue 29): 303 (no-store, no key in
  // it) to /dashboard/keys/{key_id}/created, whose first GET shows the key and whose next GET
  // shows only that it was shown once. Returns the key.
  static std::string RevealedKey(const Person& p, const HttpResponse& post) {
    EXPECT_EQ(post.status, 303) << post.body;
    EXPECT_EQ(post.Header("cache-control").value_or(""), "no-store");
    EXPECT_EQ(post.body.find(".sk_"), std::string::npos);
    std::string location = post.Header("location").value_or("");
    EXPECT_TRUE(
        std::regex_match(location, std::regex("/dashboard/keys/pk_[A-Za-z0-9]{16}/created")))
        << location;
    auto shown = Get(p, location);
    EXPECT_EQ(shown.status, 200) << shown.body;
    EXPECT_EQ(shown.Header("cache-control").value_or(""), "no-store");
    std::string key = KeyIn(shown.body);
    EXPECT_EQ(key.substr(0, key.find('.')), location.substr(16, 19)) << key;
    auto again = Get(p, location);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.Header("cache-control").value_or(""), "no-store");
    EXPECT_EQ(KeyIn(again.body), "");
    EXPECT_EQ(again.body.find(".sk_"), std::string::npos);
    EXPECT_NE(again.body.find(kShownOnce), std::string::npos) << again.body;
    return key;
  }
  static constexpr const char* kShownOnce =
      "This key's secret was shown once; create a new key if you lost it.";
  // Everything one person owns, made through the dashboard itself.
  struct Estate {
    std::string agent_id;
    std::string key;
    std::string key_id;
    std::string decision_id;
  };
  static Estate Build(const Person& p, const std::string& agent) {
    Estate e;
    auto created = Post(p, "/dashboard/agents", {{"name", agent}, {"rate_limit", "100"}});
    EXPECT_EQ(created.status, 303) << created.body;
    std::string location = created.Header("location").value_or("");
    EXPECT_EQ(location.rfind("/dashboard/agents/", 0), 0u) << location;
    e.agent_id = location.substr(std::string("/dashboard/agents/").size());
    EXPECT_EQ(Post(p, location + "/tools", {{"name", "github"}, {"scopes", "read write"}}).status,
              303);
    EXPECT_EQ(Post(p, location + "/rules",
                   {{"tool", "github"}, {"scope", "read"}, {"require_reasoning", "soft"}})
                  .status,
              303);
    e.key = RevealedKey(p, Post(p, "/dashboard/keys", {{"agent_id", e.agent_id}, {"name", "ci"}}));
    EXPECT_EQ(e.key.rfind("pk_", 0), 0u) << e.key;
    e.key_id = e.key.substr(0, e.key.find('.'));
    auto v = CallValidate(Port(), e.key,
                          {{"tool", "github"}, {"scope", "read"}, {"reasoning", "triage"}});
    EXPECT_EQ(v.status, 200) << v.raw.body;
    EXPECT_EQ(v.body["allowed"], true);
    e.decision_id = v.body.value("decision_id", "");
    return e;
  }
  static TestDatabase* db_;
  static GatewayProcess* gw_;
};
TestDatabase* DashboardE2E::db_ = nullptr;
GatewayProcess* DashboardE2E::gw_ = nullptr;

TEST_F(DashboardE2E, WithoutASessionEveryPageGoesToLoginAndComesBack) {
  for (const std::string& path : std::vector<std::string>{
           "/dashboard", "/dashboard/agents", "/dashboard/keys", "/dashboard/decisions?tool=github",
           "/dashboard/credentials", "/dashboard/audit", "/dashboard/approvals",
           "/dashboard/admin/users"}) {
    auto r = Fetch(Port(), "GET", path);
    EXPECT_EQ(r.status, 302) << path;
    EXPECT_EQ(r.Header("location").value_or(""), "/web/login?return_to=" + UrlEncode(path)) << path;
  }
  Person p = NewPerson("back");
  LoginForm form = FetchLoginForm(Port(), "/dashboard/decisions?tool=github");
  auto login = PostLogin(Port(), form, p.email, kPassword);
  EXPECT_EQ(login.status, 303);
  EXPECT_EQ(login.Header("location").value_or(""), "/dashboard/decisions?tool=github");
}

TEST_F(DashboardE2E, StaleCsrfOrExpiredSessionGoesToLoginAndChangesNothing) {
  Person p = NewPerson("csrf");
  auto stale = Post(p, "/dashboard/agents", {{"name", "sneaky"}}, "not-the-token");
  EXPECT_EQ(stale.status, 303);
  EXPECT_EQ(stale.Header("location").value_or(""), "/web/login?return_to=%2Fdashboard%2Fagents");
  // Another user's token is stale too: tokens are bound to the session.
  Person other = NewPerson("csrf-other");
  EXPECT_EQ(Post(p, "/dashboard/agents", {{"name", "sneaky"}}, Csrf(other)).status, 303);
  // A session that ended (signed out elsewhere) with its once valid token.
  std::string csrf = Csrf(p);
  db_->Scalar("UPDATE sessions SET ended_at = now(), idle_expires_at = now() WHERE user_id = '" +
              p.id + "'");
  auto expired = Post(p, "/dashboard/agents", {{"name", "sneaky"}}, csrf);
  EXPECT_EQ(expired.status, 303);
  EXPECT_EQ(expired.Header("location").value_or(""), "/web/login?return_to=%2Fdashboard%2Fagents");
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM agents WHERE user_id = '" + p.id + "'"), "0");
  // No Cookie at all.
  auto none = Fetch(Port(), "POST", "/dashboard/agents",
                    {{"Content-Type", "application/x-www-form-urlencoded"}}, "name=x&csrf=y");
  EXPECT_EQ(none.status, 303);
}

TEST_F(DashboardE2E, FormsValidateWithTheApiRulesAndShowTheErrorNextToTheField) {
  Person p = NewPerson("forms");
  auto bad_name = Post(p, "/dashboard/agents", {{"name", "no spaces <b>"}});
  EXPECT_EQ(bad_name.status, 422);
  EXPECT_NE(bad_name.body.find("id=\"agent-name-error\""), std::string::npos) << bad_name.body;
  EXPECT_NE(bad_name.body.find("name must match [A-Za-z0-9._-]{1,200}"), std::string::npos);
  // The value comes back escaped, never as markup.
  EXPECT_EQ(bad_name.body.find("<b>"), std::string::npos);
  EXPECT_NE(bad_name.body.find("no spaces &lt;b&gt;"), std::string::npos);
  auto bad_rate = Post(p, "/dashboard/agents", {{"name", "ok"}, {"rate_limit", "0"}});
  EXPECT_EQ(bad_rate.status, 422);
  EXPECT_NE(bad_rate.body.find("id=\"agent-rate-error\""), std::string::npos);
  EXPECT_NE(bad_rate.body.find("rate_limit must be between 1 and 1000000"), std::string::npos);
  auto text_rate = Post(p, "/dashboard/agents", {{"name", "ok"}, {"burst", "lots"}});
  EXPECT_EQ(text_rate.status, 422);
  EXPECT_NE(text_rate.body.find("id=\"agent-burst-error\""), std::string::npos);
  ASSERT_EQ(Post(p, "/dashboard/agents", {{"name", "dup"}}).status, 303);
  auto dup = Post(p, "/dashboard/agents", {{"name", "dup"}});
  EXPECT_EQ(dup.status, 422);
  EXPECT_NE(dup.body.find("id=\"agent-name-error\""), std::string::npos);

  std::string agent = db_->Scalar("SELECT id FROM agents WHERE user_id = '" + p.id + "'");
  auto bad_tool =
      Post(p, "/dashboard/agents/" + agent + "/tools", {{"name", "x"}, {"scopes", "a b/c"}});
  EXPECT_EQ(bad_tool.status, 422);
  EXPECT_NE(bad_tool.body.find("id=\"tool-scopes-error\""), std::string::npos);
  auto bad_rule = Post(p, "/dashboard/agents/" + agent + "/rules",
                       {{"tool", "x"}, {"scope", "y"}, {"require_reasoning", "maybe"}});
  EXPECT_EQ(bad_rule.status, 422);
  EXPECT_NE(bad_rule.body.find("id=\"rule-reasoning-error\""), std::string::npos);
  auto bad_key = Post(p, "/dashboard/keys", {{"name", "k"}, {"scopes", "notascope"}});
  EXPECT_EQ(bad_key.status, 422);
  EXPECT_NE(bad_key.body.find("id=\"key-scopes-error\""), std::string::npos);
  auto bad_expiry = Post(p, "/dashboard/keys", {{"name", "k"}, {"expires_in", "-5"}});
  EXPECT_EQ(bad_expiry.status, 422);
  EXPECT_NE(bad_expiry.body.find("id=\"key-expires-error\""), std::string::npos);
  auto bad_from = Get(p, "/dashboard/decisions?from=yesterday");
  EXPECT_EQ(bad_from.status, 400);
  EXPECT_NE(bad_from.body.find("id=\"f-from-error\""), std::string::npos);
  EXPECT_EQ(Get(p, "/dashboard/decisions?cursor=abc").status, 400);
  EXPECT_EQ(Get(p, "/dashboard/decisions?outcome=perhaps").status, 400);
  EXPECT_EQ(Get(p, "/dashboard/audit?cursor=-1").status, 400);
  EXPECT_EQ(Get(p, "/dashboard/decisions?%zz").status, 400);
  // Not a form at all: a 4xx page, never a 500.
  auto json_body = Fetch(Port(), "POST", "/dashboard/agents",
                         {{"Cookie", p.cookie}, {"Content-Type", "application/json"}}, "{}");
  EXPECT_EQ(json_body.status, 415);
  EXPECT_EQ(json_body.Header("content-type").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(Post(p, "/dashboard/agents", {{"name", "a"}, {"name", "b"}}).status, 400);
  // No agent was created by any of the refused forms.
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM agents WHERE user_id = '" + p.id + "'"), "1");
}

// CONTRACT §10 on the dashboard: a rule's effect, conditions (rows of field, operator and
// value), priority and approval wait are set in the same form as its tool and scope, each
// error is shown at its field (a condition's at its row), and what the form saved is what
// /v1/validate then decides.
TEST_F(DashboardE2E, RuleEffectsConditionsAndPriorityAreEditedOnTheDashboardAndDecide) {
  Person p = NewPerson("policy");
  Estate e = Build(p, "policy-agent");
  std::string agent = "/dashboard/agents/" + e.agent_id;
  auto has = [](const HttpResponse& r, const std::string& what) {
    return r.body.find(what) != std::string::npos;
  };

  // Refused at the field: a text where a number goes, an approval wait out of range, and a
  // condition whose value is not a number for `lt` (at its row, counted among filled rows).
  auto bad_priority =
      Post(p, agent + "/rules", {{"tool", "github"}, {"scope", "write"}, {"priority", "high"}});
  EXPECT_EQ(bad_priority.status, 422);
  EXPECT_TRUE(has(bad_priority, "id=\"rule-priority-error\"")) << bad_priority.body;
  EXPECT_TRUE(has(bad_priority, "value=\"high\""));
  auto bad_ttl =
      Post(p, agent + "/rules",
           {{"tool", "github"}, {"scope", "write"}, {"effect", "ask"}, {"approval_ttl", "5"}});
  EXPECT_EQ(bad_ttl.status, 422);
  EXPECT_TRUE(has(bad_ttl, "id=\"rule-ttl-error\"")) << bad_ttl.body;
  EXPECT_TRUE(has(bad_ttl, "<option value=\"ask\" selected>"));
  auto bad_condition = Post(p, agent + "/rules",
                            {{"tool", "github"},
                             {"scope", "write"},
                             {"cond_field_0", ""},
                             {"cond_value_0", ""},
                             {"cond_field_1", "context.amount"},
                             {"cond_op_1", "lt"},
                             {"cond_value_1", "lots"}});
  EXPECT_EQ(bad_condition.status, 422);
  EXPECT_TRUE(has(bad_condition, "condition 1: value must be a number")) << bad_condition.body;
  EXPECT_TRUE(has(bad_condition, "id=\"cond-error-0\""));
  EXPECT_TRUE(
      has(bad_condition, "id=\"cond-field-0\" name=\"cond_field_0\" value=\"context.amount\""));
  EXPECT_TRUE(has(bad_condition, "<option value=\"lt\" selected>"));
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM rules WHERE agent_id = '" + e.agent_id + "'"), "1");

  // github/write: deny for the acme repository (tried first), allow otherwise.
  ASSERT_EQ(Post(p, agent + "/rules",
                 {{"tool", "github"},
                  {"scope", "write"},
                  {"effect", "deny"},
                  {"priority", "10"},
                  {"cond_field_0", "context.repo"},
                  {"cond_op_0", "eq"},
                  {"cond_value_0", "acme"},
                  {"cond_field_1", "context.amount"},
                  {"cond_op_1", "lt"},
                  {"cond_value_1", "100"}})
                .status,
            303);
  ASSERT_EQ(Post(p, agent + "/rules", {{"tool", "github"}, {"scope", "write"}}).status, 303);
  auto page = Get(p, agent);
  EXPECT_TRUE(has(page, "<code>context.repo eq acme and context.amount lt 100</code>"))
      << page.body;
  EXPECT_TRUE(has(page, "data-effect=\"deny\""));
  auto denied = CallValidate(
      Port(), e.key,
      {{"tool", "github"}, {"scope", "write"}, {"context", {{"repo", "acme"}, {"amount", 5}}}});
  EXPECT_EQ(denied.body.value("reason", ""), "denied_by_rule") << denied.raw.body;
  auto allowed = CallValidate(
      Port(), e.key,
      {{"tool", "github"}, {"scope", "write"}, {"context", {{"repo", "acme"}, {"amount", 500}}}});
  EXPECT_EQ(allowed.body.value("allowed", false), true) << allowed.raw.body;

  // The deny rule's page shows its conditions in the rows; a text that reads as JSON is
  // quoted, so that it stays a text when saved again. Changed to ask, it asks a person.
  std::string deny =
      db_->Scalar("SELECT id FROM rules WHERE agent_id = '" + e.agent_id + "' AND effect = 'deny'");
  auto rule_page = Get(p, agent + "/rules/" + deny);
  ASSERT_EQ(rule_page.status, 200);
  EXPECT_TRUE(has(rule_page, "name=\"cond_value_0\" value=\"acme\"")) << rule_page.body;
  EXPECT_TRUE(has(rule_page, "name=\"cond_value_1\" value=\"100\""));
  EXPECT_TRUE(has(rule_page, "id=\"cond-field-3\"")) << "two empty rows for new conditions";
  ASSERT_EQ(Post(p, agent + "/rules/" + deny,
                 {{"tool", "github"},
                  {"scope", "write"},
                  {"effect", "ask"},
                  {"priority", "10"},
                  {"approval_ttl", "600"},
                  {"cond_field_0", "context.repo"},
                  {"cond_op_0", "eq"},
                  {"cond_value_0", "\"100\""}})
                .status,
            303);
  EXPECT_EQ(db_->Scalar("SELECT effect || ' ' || approval_ttl || ' ' || conditions::text FROM rules"
                        " WHERE id = '" +
                        deny + "'"),
            R"(ask 600 [{"op": "eq", "field": "context.repo", "value": "100"}])");
  EXPECT_TRUE(
      has(Get(p, agent + "/rules/" + deny), "name=\"cond_value_0\" value=\"&quot;100&quot;\""));
  auto asked = CallValidate(
      Port(), e.key, {{"tool", "github"}, {"scope", "write"}, {"context", {{"repo", "100"}}}});
  EXPECT_EQ(asked.status, 202) << asked.raw.body;
  EXPECT_EQ(asked.body.value("decision", ""), "pending");
  // Emptied rows: no conditions left, the rule holds always.
  ASSERT_EQ(Post(p, agent + "/rules/" + deny,
                 {{"tool", "github"},
                  {"scope", "write"},
                  {"effect", "deny"},
                  {"priority", "10"},
                  {"approval_ttl", "600"}})
                .status,
            303);
  EXPECT_EQ(db_->Scalar("SELECT conditions::text FROM rules WHERE id = '" + deny + "'"), "[]");
}

// CONTRACT §10's inbox: pending approvals first, with what the agent said (escaped); an owner
// approves with a comment and the agent reads it with its key; a decided approval is not
// decided again; a member reads the inbox without a control and its forged decision is
// refused; another organization's approval is no such page.
TEST_F(DashboardE2E, TheApprovalsInboxListsPendingFirstAndOnlyOwnersAndAdminsDecide) {
  Person owner = NewPerson("inbox-owner"), member = NewPerson("inbox-member");
  Person stranger = NewPerson("inbox-stranger");
  auto org = RunOakgate(
      {"org", "create", "--name", "Inbox", "--slug", "inbox-org", "--owner", owner.email},
      gw_->env());
  ASSERT_EQ(org.exit_code, 0) << org.err;
  std::string org_id = json::parse(org.out).at("id");
  ASSERT_EQ(RunOakgate({"org", "add-member", "--org", "inbox-org", "--user", member.email, "--role",
                        "member"},
                       gw_->env())
                .exit_code,
            0);
  owner.cookie += "; oakgate_org=" + org_id;
  member.cookie += "; oakgate_org=" + org_id;
  Estate e = Build(owner, "inbox-agent");
  ASSERT_EQ(Post(owner, "/dashboard/agents/" + e.agent_id + "/rules",
                 {{"tool", "github"}, {"scope", "write"}, {"effect", "ask"}})
                .status,
            303);
  auto ask = [&](const json& context) {
    auto r = CallValidate(Port(), e.key,
                          {{"tool", "github"},
                           {"scope", "write"},
                           {"reasoning", "<b>release</b>"},
                           {"context", context}});
    EXPECT_EQ(r.status, 202) << r.raw.body;
    return r.body.value("approval_id", "");
  };
  auto read = [&](const std::string& id) {
    return ParseJsonResponse(Fetch(Port(), "GET", "/v1/approvals/" + id, {{"X-API-Key", e.key}}));
  };
  std::string first = ask({{"tag", "v1"}}), second = ask({{"tag", "<script>x</script>"}});
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  std::string inbox = "/dashboard/approvals";

  // Approved with a comment: back to the inbox; the agent reads who and why.
  auto approved = Post(owner, inbox + "/" + first + "/approve", {{"comment", "ship it"}});
  ASSERT_EQ(approved.status, 303) << approved.body;
  EXPECT_EQ(approved.Header("location").value_or(""), inbox);
  auto seen = read(first);
  EXPECT_EQ(seen.body["status"], "approved") << seen.raw.body;
  EXPECT_EQ(seen.body["comment"], "ship it");
  EXPECT_EQ(seen.body["decided_by"], owner.id);

  // The inbox: the pending one first, with its escaped reasoning and context, then the decided.
  auto page = Get(owner, inbox);
  ASSERT_EQ(page.status, 200);
  size_t pending_at = page.body.find("data-approval-id=\"" + second + "\"");
  size_t decided_at = page.body.find("data-approval-id=\"" + first + "\"");
  ASSERT_NE(pending_at, std::string::npos) << page.body;
  ASSERT_NE(decided_at, std::string::npos);
  EXPECT_LT(pending_at, decided_at);
  EXPECT_NE(page.body.find("data-approval-id=\"" + second + "\" data-status=\"pending\""),
            std::string::npos);
  EXPECT_NE(page.body.find("action=\"/dashboard/approvals/" + second + "/approve\""),
            std::string::npos);
  EXPECT_NE(page.body.find("formaction=\"/dashboard/approvals/" + second + "/deny\""),
            std::string::npos);
  EXPECT_EQ(page.body.find("<script>x"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;b&gt;release&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(page.body.find("ship it"), std::string::npos);
  EXPECT_NE(page.body.find(owner.email), std::string::npos) << "who decided, by email";
  EXPECT_NE(page.body.find("href=\"/dashboard/approvals\" aria-current=\"page\""),
            std::string::npos);

  // Decided already: the inbox says so, and nothing changes.
  auto again = Post(owner, inbox + "/" + first + "/deny", {{"comment", "no"}});
  EXPECT_EQ(again.status, 422);
  EXPECT_NE(again.body.find("id=\"approvals-error\""), std::string::npos) << again.body;
  EXPECT_EQ(read(first).body["status"], "approved");

  // A member reads the inbox without a control; its forged decision is refused.
  auto member_page = Get(member, inbox);
  ASSERT_EQ(member_page.status, 200);
  EXPECT_NE(member_page.body.find("data-approval-id=\"" + second + "\""), std::string::npos);
  EXPECT_EQ(member_page.body.find("/dashboard/approvals/" + second), std::string::npos);
  EXPECT_EQ(member_page.body.find("name=\"comment\""), std::string::npos);
  for (const char* action : {"/approve", "/deny"}) {
    auto forged = Post(member, inbox + "/" + second + action, {{"comment", "sneaky"}});
    EXPECT_EQ(forged.status, 422) << action;
    EXPECT_NE(forged.body.find("Not allowed: "), std::string::npos) << forged.body;
  }
  // Another organization's approval is no such page.
  EXPECT_EQ(Post(stranger, inbox + "/" + second + "/deny", {}).status, 404);
  EXPECT_EQ(Get(stranger, inbox).body.find(second), std::string::npos);
  EXPECT_EQ(read(second).body["status"], "pending");

  // Denied by the owner: the agent's next validate with it is refused.
  ASSERT_EQ(Post(owner, inbox + "/" + second + "/deny", {}).status, 303);
  EXPECT_EQ(read(second).body["status"], "denied");
  EXPECT_TRUE(read(second).body["comment"].is_null());
}

TEST_F(DashboardE2E, ASecondUserSeesNoneOfTheFirstUsersPagesOrIds) {
  Person alice = NewPerson("alice");
  Estate a = Build(alice, "alice-agent");
  Person bob = NewPerson("bob");
  Estate b = Build(bob, "bob-agent");
  ASSERT_FALSE(a.decision_id.empty());

  // Alice's ids, guessed by bob, are 404 pages.
  for (const std::string& path : std::vector<std::string>{
           "/dashboard/agents/" + a.agent_id, "/dashboard/decisions/" + a.decision_id,
           "/dashboard/keys/" + a.key_id + "/created", std::string("/dashboard/keys/x/created"),
           std::string("/dashboard/agents/not-a-uuid"), std::string("/dashboard/decisions/42")}) {
    auto r = Get(bob, path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.Header("content-type").value_or(""), "text/html; charset=utf-8") << path;
  }
  for (const std::string& path : std::vector<std::string>{
           "/dashboard/agents/" + a.agent_id, "/dashboard/agents/" + a.agent_id + "/tools",
           "/dashboard/agents/" + a.agent_id + "/rules",
           "/dashboard/agents/" + a.agent_id + "/disable",
           "/dashboard/keys/" + a.key_id + "/revoke", "/dashboard/keys/" + a.key_id + "/rotate"}) {
    auto r = Post(bob, path, {{"name", "x"}, {"tool", "x"}, {"scope", "x"}});
    EXPECT_EQ(r.status, 404) << path;
  }
  // A key for alice's agent cannot be made by bob either.
  auto key = Post(bob, "/dashboard/keys", {{"agent_id", a.agent_id}, {"name", "steal"}});
  EXPECT_EQ(key.status, 422);
  EXPECT_NE(key.body.find("id=\"key-agent-error\""), std::string::npos);
  EXPECT_EQ(key.body.find("id=\"new-key\""), std::string::npos);
  // Alice's session and grant ids are not bob's to end.
  std::string alice_session = db_->Scalar("SELECT id FROM sessions WHERE user_id = '" + alice.id +
                                          "' AND ended_at IS NULL LIMIT 1");
  std::string alice_grant =
      db_->Scalar("SELECT id FROM token_families WHERE user_id = '" + alice.id + "' LIMIT 1");
  EXPECT_EQ(Post(bob, "/dashboard/credentials/sessions/" + alice_session + "/end", {}).status, 404);
  EXPECT_EQ(Post(bob, "/dashboard/credentials/grants/" + alice_grant + "/revoke", {}).status, 404);
  // Nothing of alice's changed.
  EXPECT_EQ(CallValidate(Port(), a.key, {{"tool", "github"}, {"scope", "read"}}).status, 200);
  EXPECT_EQ(CallApi(Port(), "GET", "/api/v1/agents", alice.token).status, 200);
  EXPECT_EQ(Get(alice, "/dashboard").status, 200);

  // And no page of bob's mentions anything of alice's; each shows bob's own.
  std::vector<std::string> alices = {a.agent_id,  a.key_id,      a.decision_id,
                                     alice.email, "alice-agent", alice.id};
  for (const std::string& path : std::vector<std::string>{
           "/dashboard", "/dashboard/agents", "/dashboard/agents/" + b.agent_id, "/dashboard/keys",
           "/dashboard/decisions", "/dashboard/decisions?agent_id=" + a.agent_id,
           "/dashboard/decisions/" + b.decision_id, "/dashboard/credentials", "/dashboard/audit"}) {
    auto r = Get(bob, path);
    EXPECT_EQ(r.status, 200) << path;
    for (const auto& secret : alices) {
      EXPECT_EQ(r.body.find(secret), std::string::npos) << path << " shows " << secret;
    }
  }
  EXPECT_NE(Get(bob, "/dashboard/keys").body.find(b.key_id), std::string::npos);
  EXPECT_NE(Get(bob, "/dashboard/decisions").body.find(b.decision_id), std::string::npos);
  // The full key is never shown again after its creation.
  for (const std::string& path :
       std::vector<std::string>{"/dashboard/keys", "/dashboard/agents/" + b.agent_id,
                                "/dashboard/credentials", "/dashboard/audit"}) {
    EXPECT_EQ(Get(bob, path).body.find(b.key.substr(b.key.find('.'))), std::string::npos) << path;
  }
}

TEST_F(DashboardE2E, SummaryAndDecisionsShowTheDecisionsOfTheValidations) {
  Person p = NewPerson("summary");
  Estate e = Build(p, "summary-agent");
  // One denied (no rule for write) and the allowed one from Build.
  auto denied = CallValidate(Port(), e.key, {{"tool", "github"}, {"scope", "write"}});
  EXPECT_EQ(denied.body["reason"], "no_rule");
  auto page = Get(p, "/dashboard");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"today-allowed\">1<"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("id=\"today-denied\">1<"), std::string::npos);
  EXPECT_NE(page.body.find("no_rule: 1"), std::string::npos);
  EXPECT_NE(page.body.find("data-total=\"2\""), std::string::npos);
  EXPECT_NE(page.body.find("summary-agent</a>: 2"), std::string::npos);
  EXPECT_EQ(std::count(page.body.begin(), page.body.end(), '\n') > 0, true);
  // The filters narrow the table; the detail page shows the context and reasoning.
  auto allowed = Get(p, "/dashboard/decisions?outcome=allowed&tool=github");
  EXPECT_NE(allowed.body.find(e.decision_id), std::string::npos);
  EXPECT_EQ(allowed.body.find("denied: no_rule"), std::string::npos);
  auto none = Get(p, "/dashboard/decisions?from=2999-01-01T00:00:00Z");
  EXPECT_NE(none.body.find("id=\"no-decisions\""), std::string::npos);
  auto detail = Get(p, "/dashboard/decisions/" + e.decision_id);
  EXPECT_EQ(detail.status, 200);
  EXPECT_NE(detail.body.find("triage"), std::string::npos);
}

TEST_F(DashboardE2E, DecisionsPageThroughOlderDecisions) {
  Person p = NewPerson("paging");
  Estate e = Build(p, "paging-agent");
  for (int i = 0; i < 55; ++i) CallValidate(Port(), e.key, {{"tool", "github"}, {"scope", "read"}});
  auto first = Get(p, "/dashboard/decisions?tool=github");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      first.body, m, std::regex(R"re(href="/dashboard/decisions(\?[^"]*)" id="next-page")re")));
  std::string next = HtmlUnescape(m[1]);
  EXPECT_NE(next.find("tool=github"), std::string::npos);
  auto second = Get(p, "/dashboard/decisions" + next);
  EXPECT_EQ(second.status, 200);
  EXPECT_NE(second.body.find(e.decision_id), std::string::npos);  // the oldest
  EXPECT_EQ(second.body.find("id=\"next-page\""), std::string::npos);
}

TEST_F(DashboardE2E, PagesCarryTheStrictHeadersAndTheScriptIsSameOrigin) {
  Person p = NewPerson("headers");
  auto r = Get(p, "/dashboard");
  std::string csp = r.Header("content-security-policy").value_or("");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(csp.find("form-action 'self'"), std::string::npos);
  EXPECT_EQ(r.Header("x-frame-options").value_or(""), "DENY");
  EXPECT_EQ(r.Header("cache-control").value_or(""), "no-store");
  EXPECT_EQ(r.Header("referrer-policy").value_or(""), "no-referrer");
  EXPECT_EQ(r.body.find("<script>"), std::string::npos) << "no inline script";
  EXPECT_EQ(r.body.find("http://"), std::string::npos) << "no other origin";
  EXPECT_EQ(r.body.find("https://"), std::string::npos) << "no other origin";
  auto js = Fetch(Port(), "GET", "/dashboard/static/dashboard.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.Header("content-type").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.Header("x-content-type-options").value_or(""), "nosniff");
  EXPECT_EQ(Fetch(Port(), "GET", "/dashboard/static/other.js").status, 404);
  auto wrong_method = Fetch(Port(), "DELETE", "/dashboard/agents", {{"Cookie", p.cookie}});
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.Header("content-type").value_or(""), "text/html; charset=utf-8");
}

TEST_F(DashboardE2E, KeysRevokeAndRotateWithAGracePeriod) {
  Person p = NewPerson("keys");
  Estate e = Build(p, "keys-agent");
  auto bad = Post(p, "/dashboard/keys/" + e.key_id + "/rotate", {{"grace_seconds", "-1"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("id=\"rotate-error\""), std::string::npos);
  auto rotated = Post(p, "/dashboard/keys/" + e.key_id + "/rotate", {{"grace_seconds", "3600"}});
  std::string new_key = RevealedKey(p, rotated);
  ASSERT_FALSE(new_key.empty());
  std::string new_id = new_key.substr(0, new_key.find('.'));
  // The page after the rotation says what it replaced, also once the key is no longer shown.
  EXPECT_NE(
      Get(p, "/dashboard/keys/" + new_id + "/created").body.find("replaces <code>" + e.key_id),
      std::string::npos);
  EXPECT_EQ(CallValidate(Port(), new_key, {{"tool", "github"}, {"scope", "read"}}).status, 200);
  EXPECT_EQ(CallValidate(Port(), e.key, {{"tool", "github"}, {"scope", "read"}}).status, 200)
      << "the old key works during the grace period";
  EXPECT_EQ(Post(p, "/dashboard/keys/" + e.key_id + "/revoke", {}).status, 303);
  auto after = CallValidate(Port(), e.key, {{"tool", "github"}, {"scope", "read"}});
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.body["error"], "api_key_revoked");
  EXPECT_EQ(Post(p, "/dashboard/keys/" + e.key_id + "/rotate", {}).status, 422);
  EXPECT_EQ(Post(p, "/dashboard/keys/pk_0000000000000000/revoke", {}).status, 404);
}

TEST_F(DashboardE2E, SignOutEverywhereEndsEverySessionAndRevokesEveryGrant) {
  Person p = NewPerson("everywhere");
  std::string second = LoginSession(Port(), p.email, kPassword);
  Estate e = Build(p, "everywhere-agent");
  auto creds = Get(p, "/dashboard/credentials");
  EXPECT_NE(creds.body.find("mgmt"), std::string::npos) << "the grant is listed";
  EXPECT_NE(creds.body.find("this session"), std::string::npos);
  auto out = Post(p, "/dashboard/credentials/sign-out-everywhere", {});
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(out.Header("location").value_or(""), "/web/login");
  EXPECT_EQ(Get(p, "/dashboard").status, 302);
  EXPECT_EQ(Fetch(Port(), "GET", "/dashboard", {{"Cookie", second}}).status, 302);
  EXPECT_EQ(CallApi(Port(), "GET", "/api/v1/agents", p.token).status, 401);
  // API keys belong to agents and stay; the audit trail records it.
  EXPECT_EQ(CallValidate(Port(), e.key, {{"tool", "github"}, {"scope", "read"}}).status, 200);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM audit_events WHERE user_id = '" + p.id +
                        "' AND type = 'user.signed_out_everywhere'"),
            "1");
}

TEST_F(DashboardE2E, OneSessionAndOneGrantCanBeEndedAlone) {
  Person p = NewPerson("single");
  std::string other = LoginSession(Port(), p.email, kPassword);
  std::string other_id = db_->Scalar("SELECT id FROM sessions WHERE user_id = '" + p.id +
                                     "' ORDER BY id DESC LIMIT 1");
  EXPECT_EQ(Post(p, "/dashboard/credentials/sessions/" + other_id + "/end", {}).status, 303);
  EXPECT_EQ(Fetch(Port(), "GET", "/dashboard", {{"Cookie", other}}).status, 302);
  EXPECT_EQ(Get(p, "/dashboard").status, 200);
  std::string grant =
      db_->Scalar("SELECT id FROM token_families WHERE user_id = '" + p.id + "' LIMIT 1");
  EXPECT_EQ(Post(p, "/dashboard/credentials/grants/" + grant + "/revoke", {}).status, 303);
  EXPECT_EQ(CallApi(Port(), "GET", "/api/v1/agents", p.token).status, 401);
  EXPECT_EQ(Post(p, "/dashboard/credentials/grants/" + grant + "/revoke", {}).status, 404);
  EXPECT_EQ(Post(p, "/dashboard/credentials/sessions/abc/end", {}).status, 404);
}

TEST_F(DashboardE2E, OnlyAdminsSeeUsersAndClientsAndDisablingEndsEverything) {
  Person user = NewPerson("plain");
  Estate e = Build(user, "plain-agent");
  EXPECT_EQ(Get(user, "/dashboard/admin/users").status, 404);
  EXPECT_EQ(Get(user, "/dashboard/admin/clients").status, 404);
  EXPECT_EQ(Get(user, "/dashboard").body.find("/dashboard/admin/users"), std::string::npos);
  Person other = NewPerson("victim");
  EXPECT_EQ(Post(user, "/dashboard/admin/users/" + other.id + "/disable", {}).status, 404);
  EXPECT_EQ(Get(other, "/dashboard").status, 200);

  Person admin = NewPerson("admin", /*admin=*/true);
  auto users = Get(admin, "/dashboard/admin/users");
  EXPECT_EQ(users.status, 200);
  EXPECT_NE(users.body.find(user.email), std::string::npos);
  EXPECT_NE(Get(admin, "/dashboard/admin/clients").body.find("mgmt"), std::string::npos);
  EXPECT_EQ(Post(admin, "/dashboard/admin/users/" + admin.id + "/disable", {}).status, 400);
  EXPECT_EQ(
      Post(admin, "/dashboard/admin/users/00000000-0000-0000-0000-000000000000/disable", {}).status,
      404);

  ASSERT_EQ(Post(admin, "/dashboard/admin/users/" + user.id + "/disable", {}).status, 303);
  EXPECT_EQ(Get(user, "/dashboard").status, 302) << "sessions ended";
  EXPECT_EQ(CallApi(Port(), "GET", "/api/v1/agents", user.token).status, 401) << "tokens revoked";
  EXPECT_EQ(CallValidate(Port(), e.key, {{"tool", "github"}, {"scope", "read"}}).status, 401);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM api_keys WHERE user_id = '" + user.id +
                        "' AND revoked_at IS NULL"),
            "0");
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM token_families WHERE user_id = '" + user.id +
                        "' AND revoked_at IS NULL"),
            "0");
  EXPECT_NE(Get(admin, "/dashboard/admin/users").body.find("disabled"), std::string::npos);
}

TEST_F(DashboardE2E, AuditPageListsTheUsersOwnEventsNewestFirst) {
  Person p = NewPerson("audit");
  Build(p, "audit-agent");
  auto r = Get(p, "/dashboard/audit");
  ASSERT_EQ(r.status, 200);
  size_t key = r.body.find("api_key.created"), agent = r.body.find("agent.created");
  ASSERT_NE(key, std::string::npos);
  ASSERT_NE(agent, std::string::npos);
  EXPECT_LT(key, agent) << "newest first";
}

// Issue 29: the key waits for its page in PostgreSQL, sealed to the session cookie: never in
// plain text, only for the session that made it, for either colour of a blue/green pair (one
// gateway takes the POST, another the GET), at most once and for at most 10 minutes.
TEST_F(DashboardE2E, ANewKeyWaitsSealedForItsSessionAndIsShownOnceByAnyInstance) {
  Person p = NewPerson("slot");
  Estate e = Build(p, "slot-agent");
  std::string second_session = LoginSession(Port(), p.email, kPassword);
  auto post = Post(p, "/dashboard/keys", {{"agent_id", e.agent_id}, {"name", "sealed"}});
  ASSERT_EQ(post.status, 303);
  std::string location = post.Header("location").value_or("");
  std::string key_id = location.substr(16, 19);
  ASSERT_EQ(db_->Scalar("SELECT count(*) FROM dashboard_reveals WHERE key_id = '" + key_id + "'"),
            "1");
  // Not in the row: neither the key nor its secret half, in any encoding PostgreSQL shows.
  std::string row = db_->Scalar(
      "SELECT encode(sealed, 'escape') || ' ' || encode(sealed, 'hex') || ' ' ||"
      " encode(sealed, 'base64') FROM dashboard_reveals WHERE key_id = '" +
      key_id + "'");
  EXPECT_EQ(row.find(".sk_"), std::string::npos) << row;
  // Another session of the same user, and another user, find no key there.
  auto other = Fetch(Port(), "GET", location, {{"Cookie", second_session}});
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(KeyIn(other.body), "");
  EXPECT_NE(other.body.find(kShownOnce), std::string::npos);
  EXPECT_EQ(Get(NewPerson("stranger"), location).status, 404);
  // The other colour (a second gateway on the same database) shows it, once.
  GatewayProcess green(db_->url());
  auto shown = Fetch(green.port(), "GET", location, {{"Cookie", p.cookie}});
  ASSERT_EQ(shown.status, 200);
  std::string key = KeyIn(shown.body);
  EXPECT_EQ(key.rfind(key_id + ".sk_", 0), 0u) << shown.body;
  EXPECT_EQ(CallValidate(Port(), key, {{"tool", "github"}, {"scope", "read"}}).status, 200);
  EXPECT_EQ(KeyIn(Get(p, location).body), "") << "shown a second time by the first colour";
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM dashboard_reveals WHERE key_id = '" + key_id + "'"),
            "0");
  // A slot nobody took within 10 minutes shows nothing.
  std::string late = Post(p, "/dashboard/keys", {{"name", "late"}}).Header("location").value_or("");
  db_->Scalar("UPDATE dashboard_reveals SET created_at = now() - interval '11 minutes'");
  auto stale = Get(p, late);
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(KeyIn(stale.body), "");
  EXPECT_NE(stale.body.find(kShownOnce), std::string::npos);
  // An unclaimed slot is pruned after its 10 minutes, and ends with its session anyway.
  ASSERT_EQ(Post(p, "/dashboard/keys", {{"name", "unclaimed"}}).status, 303);
  ASSERT_EQ(Post(p, "/dashboard/keys", {{"name", "unclaimed2"}}).status, 303);
  db_->Scalar(
      "UPDATE dashboard_reveals SET created_at = now() - interval '11 minutes'"
      " WHERE key_id = (SELECT key_id FROM api_keys WHERE name = 'unclaimed')");
  auto pruned = RunOakgate({"prune"}, gw_->env());
  EXPECT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM dashboard_reveals"), "1");
  db_->Scalar("DELETE FROM sessions WHERE user_id = '" + p.id + "'");
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM dashboard_reveals"), "0");
}

// PITFALLS 4: taking the slot is one statement, so two tabs (or two colours) loading the page
// at the same moment show the key in exactly one of them.
TEST_F(DashboardE2E, TwoTabsLoadingANewKeysPageAtOnceShowItInOne) {
  Person p = NewPerson("tabs");
  Estate e = Build(p, "tabs-agent");
  for (int round = 0; round < 5; ++round) {
    auto post = Post(p, "/dashboard/keys",
                     {{"agent_id", e.agent_id}, {"name", "tab" + std::to_string(round)}});
    ASSERT_EQ(post.status, 303);
    std::string location = post.Header("location").value_or("");
    std::vector<std::string> keys(4);
    std::vector<std::thread> tabs;
    for (auto& k : keys) {
      tabs.emplace_back([&k, &p, location] { k = KeyIn(Get(p, location).body); });
    }
    for (auto& t : tabs) t.join();
    EXPECT_EQ(std::count_if(keys.begin(), keys.end(), [](const auto& k) { return !k.empty(); }), 1)
        << "round " << round;
  }
}

// Issue 29: every form's success is a 303 (history then holds a GET), every refusal a 422
// with the form; nothing a form does answers 200.
TEST_F(DashboardE2E, EveryFormAnswersSeeOtherOnSuccessAndUnprocessableWithTheForm) {
  Person admin = NewPerson("forms-admin", true);
  Person victim = NewPerson("forms-victim");
  std::string second = LoginSession(Port(), admin.email, kPassword);
  Estate e = Build(admin, "forms-agent");
  std::string agent = "/dashboard/agents/" + e.agent_id;
  std::string session_id =
      db_->Scalar("SELECT max(id) FROM sessions WHERE user_id = '" + admin.id + "'");  // second's
  std::string grant =
      db_->Scalar("SELECT id FROM token_families WHERE user_id = '" + admin.id + "' LIMIT 1");
  std::string rule = db_->Scalar("SELECT id FROM rules WHERE agent_id = '" + e.agent_id + "'");
  struct Form {
    std::string path;
    std::vector<std::pair<std::string, std::string>> ok, bad;
  };
  std::vector<Form> forms = {
      {"/dashboard/agents", {{"name", "made-here"}}, {{"name", "bad name"}}},
      {agent,
       {{"name", "renamed"}, {"rate_limit", "5"}, {"burst", "5"}, {"enabled", "on"}},
       {{"name", "renamed"}, {"rate_limit", "0"}, {"burst", "5"}}},
      {agent + "/tools", {{"name", "jira"}, {"scopes", "read"}}, {{"name", "bad name"}}},
      {agent + "/rules", {{"tool", "jira"}, {"scope", "read"}}, {{"tool", "bad tool"}}},
      {agent + "/rules/" + rule,
       {{"tool", "github"}, {"scope", "read"}, {"require_reasoning", "hard"}},
       {{"tool", "github"}, {"scope", "read"}, {"priority", "first"}}},
      {"/dashboard/keys", {{"name", "form-key"}}, {{"name", "k"}, {"expires_in", "-1"}}},
      {"/dashboard/keys/" + e.key_id + "/rotate",
       {{"grace_seconds", "60"}},
       {{"grace_seconds", "-1"}}},
  };
  for (const auto& f : forms) {
    auto bad = Post(admin, f.path, f.bad);
    EXPECT_EQ(bad.status, 422) << f.path;
    EXPECT_NE(bad.body.find("<form"), std::string::npos) << f.path;
    EXPECT_NE(bad.body.find("field-error"), std::string::npos) << f.path;
    auto ok = Post(admin, f.path, f.ok);
    EXPECT_EQ(ok.status, 303) << f.path << ok.body;
    EXPECT_EQ(ok.Header("cache-control").value_or(""), "no-store") << f.path;
    EXPECT_EQ(Get(admin, ok.Header("location").value_or("")).status, 200) << f.path;
  }
  for (const std::string& path :
       {agent + "/rules/" + rule + "/delete", agent + "/tools/jira/delete",
        "/dashboard/keys/" + e.key_id + "/revoke", agent + "/disable",
        "/dashboard/credentials/grants/" + grant + "/revoke",
        "/dashboard/credentials/sessions/" + session_id + "/end",
        "/dashboard/admin/users/" + victim.id + "/disable"}) {
    auto ok = Post(admin, path, {});
    EXPECT_EQ(ok.status, 303) << path << ok.body;
    EXPECT_EQ(ok.Header("cache-control").value_or(""), "no-store") << path;
    EXPECT_EQ(Get(admin, ok.Header("location").value_or("")).status, 200) << path;
  }
  auto everywhere = Post(admin, "/dashboard/credentials/sign-out-everywhere", {});
  EXPECT_EQ(everywhere.status, 303);
  EXPECT_EQ(everywhere.Header("location").value_or(""), "/web/login");
}

// Issue 29: a browser asks every origin for /favicon.ico; a 404 there is a console error on
// the first page.
TEST_F(DashboardE2E, TheSiteHasAnIconThatBrowsersMayKeep) {
  auto icon = Fetch(Port(), "GET", "/favicon.ico");
  ASSERT_EQ(icon.status, 200);
  EXPECT_EQ(icon.Header("content-type").value_or(""), "image/x-icon");
  EXPECT_NE(icon.Header("cache-control").value_or("").find("max-age=2592000"), std::string::npos);
  ASSERT_GE(icon.body.size(), 22u);
  EXPECT_EQ(icon.body.substr(0, 4), std::string("\0\0\1\0", 4)) << "an ICO header";
  EXPECT_EQ(icon.body.substr(22, 8), "\x89PNG\r\n\x1a\n") << "its image";
}

}  // namespace
}  // namespace oakgate::test
