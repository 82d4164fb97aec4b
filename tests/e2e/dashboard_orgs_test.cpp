// The dashboard in an organization (CONTRACT §9, issue 22) over HTTP against the real binary
// and a real PostgreSQL: the header's switcher (only the visitor's organizations; another is
// a 404 and sets nothing), the members page per role (owner, admin, member: which controls
// each sees, what each may change, the last owner kept), and the controls a member's role may
// not use: not shown, and a forged POST for them answered with the refusal, changing nothing.
// The usage page shows the organization's month from its counters. Chromium switches and
// changes a role in tests/e2e/dashboard_orgs_browser_test.cpp. A new invitation's link is
// shown once, and reloading its page makes no second invitation. The webhooks page: a new
// endpoint's secret shown once, members' controls absent and their forged posts refused.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;
constexpr const char* kPassword = "correct-horse-battery-staple-42";
constexpr const char* kRefused = "Not allowed: your role in this organization does not allow this";

struct Person {
  std::string id;
  std::string email;
  std::string session;  // "oakgate_session=..."
  std::string org;      // the organization chosen in the header (an id), "" for the personal one
  std::string Cookie() const { return org.empty() ? session : session + "; oakgate_org=" + org; }
};

class DashboardOrgsE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
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
  static json Cli(const std::vector<std::string>& args, const std::string& input = "") {
    auto r = RunOakgate(args, gw_->env(), input);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json();
  }
  static Person NewPerson(const std::string& name) {
    static int n = 0;
    Person p;
    p.email = name + std::to_string(++n) + "@example.com";
    p.id = Cli({"user", "create", "--email", p.email, "--password-stdin"},
               std::string(kPassword) + "\n")
               .value("id", "");
    p.session = LoginSession(Port(), p.email, kPassword);
    return p;
  }
  // A shared organization owned by `owner`, with the others added in their roles; its id.
  static std::string NewOrg(const std::string& slug, const Person& owner,
                            const std::vector<std::pair<const Person*, std::string>>& others = {}) {
    std::string id =
        Cli({"org", "create", "--name", "Org " + slug, "--slug", slug, "--owner", owner.email})
            .value("id", "");
    for (const auto& [p, role] : others) {
      Cli({"org", "add-member", "--org", slug, "--user", p->email, "--role", role});
    }
    return id;
  }
  static HttpResponse Get(const Person& p, const std::string& path) {
    return Fetch(Port(), "GET", path, {{"Cookie", p.Cookie()}});
  }
  static std::string Csrf(const Person& p) {
    return HiddenField(Get(p, "/dashboard").body, "csrf");
  }
  static HttpResponse Post(const Person& p, const std::string& path,
                           std::vector<std::pair<std::string, std::string>> fields) {
    fields.emplace_back("csrf", Csrf(p));
    return Fetch(Port(), "POST", path,
                 {{"Cookie", p.Cookie()}, {"Content-Type", "application/x-www-form-urlencoded"}},
                 FormEncode(fields));
  }
  // A members form as the page renders it: for the organization the dashboard shows.
  static HttpResponse PostMember(const Person& p, const std::string& user_id,
                                 const std::string& action,
                                 std::vector<std::pair<std::string, std::string>> fields = {}) {
    fields.emplace_back("org", p.org);
    return Post(p, "/dashboard/members/" + user_id + "/" + action, fields);
  }
  // An agent made on the dashboard in the organization `p` has chosen; its id.
  static std::string NewAgent(const Person& p, const std::string& name) {
    auto created = Post(p, "/dashboard/agents", {{"name", name}});
    EXPECT_EQ(created.status, 303) << created.body;
    std::string id = created.Header("location").value_or("").substr(18);
    EXPECT_EQ(id.size(), 36u) << id;
    return id;
  }
  static std::string Role(const std::string& org_id, const Person& p) {
    return db_->Scalar("SELECT coalesce((SELECT role FROM org_members WHERE org_id = '" + org_id +
                       "' AND user_id = '" + p.id + "'), 'none')");
  }
  // The members table's row of `p` in a page ("" when absent).
  static std::string Row(const std::string& html, const Person& p) {
    size_t at = html.find("<tr data-user-id=\"" + p.id + "\"");
    if (at == std::string::npos) return "";
    return html.substr(at, html.find("</tr>", at) - at);
  }
  static bool Has(const std::string& html, const std::string& what) {
    return html.find(what) != std::string::npos;
  }
  static TestDatabase* db_;
  static GatewayProcess* gw_;
};
TestDatabase* DashboardOrgsE2E::db_ = nullptr;
GatewayProcess* DashboardOrgsE2E::gw_ = nullptr;

TEST_F(DashboardOrgsE2E, TheSwitcherOffersOnlyMyOrganizationsAndRefusesAnotherWithA404) {
  Person owner = NewPerson("sw-owner"), member = NewPerson("sw-member"),
         stranger = NewPerson("sw-stranger");
  std::string acme = NewOrg("sw-acme", owner, {{&member, "member"}});
  std::string secret = NewOrg("sw-secret", stranger);
  // The owner's agent in the shared organization.
  owner.org = acme;
  NewAgent(owner, "acme-bot");
  owner.org.clear();

  auto page = Get(member, "/dashboard/agents");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(Has(page.body, "<option value=\"" + acme + "\" >Org sw-acme (member)</option>"))
      << page.body;
  EXPECT_FALSE(Has(page.body, secret)) << "another's organization is not offered";
  EXPECT_TRUE(Has(page.body, "selected aria-current=\"true\">" + member.email)) << page.body;
  EXPECT_FALSE(Has(page.body, "acme-bot")) << "the personal organization is shown first";
  EXPECT_FALSE(Has(page.body, "id=\"refused\"")) << "nothing was refused";

  auto chosen = Post(member, "/dashboard/org", {{"org", acme}, {"back", "/dashboard/agents"}});
  ASSERT_EQ(chosen.status, 303) << chosen.body;
  EXPECT_EQ(chosen.Header("location").value_or(""), "/dashboard/agents");
  EXPECT_EQ(chosen.Header("cache-control").value_or(""), "no-store");
  auto cookies = chosen.Headers("set-cookie");
  ASSERT_EQ(cookies.size(), 1u);
  EXPECT_EQ(cookies[0].rfind("oakgate_org=" + acme + ";", 0), 0u) << cookies[0];
  EXPECT_TRUE(Has(cookies[0], "; HttpOnly")) << cookies[0];
  EXPECT_TRUE(Has(cookies[0], "; SameSite=Lax")) << cookies[0];
  EXPECT_TRUE(Has(cookies[0], "; Path=/")) << cookies[0];
  member.org = acme;
  page = Get(member, "/dashboard/agents");
  EXPECT_TRUE(Has(page.body, "acme-bot")) << page.body;
  EXPECT_TRUE(Has(page.body, "selected aria-current=\"true\">Org sw-acme (member)")) << page.body;

  // A member of one organization names another: no such page, and no cookie for it.
  auto foreign = Post(member, "/dashboard/org", {{"org", secret}, {"back", "/dashboard"}});
  EXPECT_EQ(foreign.status, 404);
  EXPECT_TRUE(foreign.Headers("set-cookie").empty());
  auto by_slug = Post(member, "/dashboard/org", {{"org", "sw-secret"}, {"back", "/dashboard"}});
  EXPECT_EQ(by_slug.status, 404);
  auto none = Post(member, "/dashboard/org", {{"org", "no-such-org"}, {"back", "/dashboard"}});
  EXPECT_EQ(none.status, 404);
  // A cookie planted for another's organization shows the personal one, not theirs.
  stranger.org = secret;
  NewAgent(stranger, "secret-bot");
  Person planted = member;
  planted.org = secret;
  auto fallback = Get(planted, "/dashboard/agents");
  EXPECT_EQ(fallback.status, 200);
  EXPECT_FALSE(Has(fallback.body, "secret-bot"));
  EXPECT_TRUE(Has(fallback.body, "selected aria-current=\"true\">" + member.email));

  // The switcher goes back only to a page of the dashboard, and only with a valid form.
  for (std::string back : {"https://evil.example/", "//evil.example/dashboard",
                           "/dashboard/../web/logout", "/dashboardx"}) {
    auto r = Post(member, "/dashboard/org", {{"org", acme}, {"back", back}});
    EXPECT_EQ(r.status, 400) << back;
    EXPECT_TRUE(r.Headers("set-cookie").empty()) << back;
  }
  auto stale =
      Fetch(Port(), "POST", "/dashboard/org",
            {{"Cookie", member.Cookie()}, {"Content-Type", "application/x-www-form-urlencoded"}},
            FormEncode({{"org", acme}, {"back", "/dashboard"}, {"csrf", "forged"}}));
  EXPECT_EQ(stale.status, 303);
  EXPECT_EQ(stale.Header("location").value_or("").rfind("/web/login", 0), 0u);
  EXPECT_TRUE(stale.Headers("set-cookie").empty());
}

TEST_F(DashboardOrgsE2E, EachRoleSeesOnlyTheMemberControlsItMayUse) {
  Person owner = NewPerson("see-owner"), owner2 = NewPerson("see-owner2"),
         admin = NewPerson("see-admin"), member = NewPerson("see-member");
  std::string org =
      NewOrg("see-org", owner, {{&owner2, "owner"}, {&admin, "admin"}, {&member, "member"}});
  for (Person* p : {&owner, &owner2, &admin, &member}) p->org = org;

  auto as_owner = Get(owner, "/dashboard/members");
  ASSERT_EQ(as_owner.status, 200);
  EXPECT_TRUE(Has(as_owner.body, "id=\"my-role\">owner<"));
  for (const Person* p : {&owner2, &admin, &member}) {
    std::string row = Row(as_owner.body, *p);
    EXPECT_TRUE(Has(row, "/role\"")) << row;
    EXPECT_TRUE(Has(row, "<option value=\"owner\"")) << row;
    EXPECT_TRUE(Has(row, "class=\"row remove-form\"")) << row;
  }
  EXPECT_TRUE(Has(Row(as_owner.body, owner), "leave-form"));

  auto as_admin = Get(admin, "/dashboard/members");
  ASSERT_EQ(as_admin.status, 200);
  for (const Person* p : {&owner, &owner2}) {
    std::string row = Row(as_admin.body, *p);
    EXPECT_FALSE(Has(row, "<form")) << "an admin has no control over an owner: " << row;
  }
  std::string member_row = Row(as_admin.body, member);
  EXPECT_TRUE(Has(member_row, "role-form")) << member_row;
  EXPECT_TRUE(Has(member_row, "remove-form")) << member_row;
  EXPECT_FALSE(Has(member_row, "<option value=\"owner\"")) << "an admin makes no owner";
  EXPECT_TRUE(Has(Row(as_admin.body, admin), "leave-form"));

  auto as_member = Get(member, "/dashboard/members");
  ASSERT_EQ(as_member.status, 200);
  for (const Person* p : {&owner, &owner2, &admin}) {
    EXPECT_FALSE(Has(Row(as_member.body, *p), "<form")) << Row(as_member.body, *p);
  }
  std::string own = Row(as_member.body, member);
  EXPECT_TRUE(Has(own, "leave-form")) << own;
  EXPECT_FALSE(Has(own, "role-form")) << own;
  EXPECT_TRUE(Has(as_member.body, owner.email)) << "a member reads the members";

  // In the personal organization the owner cannot leave: no such button.
  Person personal = owner;
  personal.org.clear();
  EXPECT_FALSE(Has(Get(personal, "/dashboard/members").body, "leave-form"));
}

TEST_F(DashboardOrgsE2E, OwnersAndAdminsChangeRolesAsAllowedAndForgedChangesAreRefused) {
  Person owner = NewPerson("role-owner"), admin = NewPerson("role-admin"),
         member = NewPerson("role-member"), other = NewPerson("role-other");
  std::string org =
      NewOrg("role-org", owner, {{&admin, "admin"}, {&member, "member"}, {&other, "member"}});
  for (Person* p : {&owner, &admin, &member, &other}) p->org = org;

  // Owner: member -> admin; the page it returns to shows it.
  auto promoted = PostMember(owner, other.id, "role", {{"role", "admin"}});
  ASSERT_EQ(promoted.status, 303) << promoted.body;
  EXPECT_EQ(promoted.Header("location").value_or(""), "/dashboard/members");
  EXPECT_EQ(Role(org, other), "admin");
  EXPECT_TRUE(Has(Row(Get(owner, "/dashboard/members").body, other), "data-role=\"admin\""));
  // Admin: admin -> member.
  ASSERT_EQ(PostMember(admin, other.id, "role", {{"role", "member"}}).status, 303);
  EXPECT_EQ(Role(org, other), "member");

  // Admin, forged: demote the owner, or make itself or a member an owner.
  for (auto [who, role] : std::vector<std::pair<const Person*, std::string>>{
           {&owner, "member"}, {&admin, "owner"}, {&member, "owner"}}) {
    auto r = PostMember(admin, who->id, "role", {{"role", role}});
    EXPECT_EQ(r.status, 422) << who->email << " " << role;
    EXPECT_TRUE(Has(r.body, kRefused)) << r.body;
  }
  auto removed_owner = PostMember(admin, owner.id, "remove");
  EXPECT_EQ(removed_owner.status, 422);
  EXPECT_TRUE(Has(removed_owner.body, kRefused));
  EXPECT_EQ(Role(org, owner), "owner");
  EXPECT_EQ(Role(org, admin), "admin");
  EXPECT_EQ(Role(org, member), "member");

  // Member, forged: any role change or removal of another.
  auto self_promote = PostMember(member, member.id, "role", {{"role", "admin"}});
  EXPECT_EQ(self_promote.status, 422);
  EXPECT_TRUE(Has(self_promote.body, kRefused));
  auto remove_other = PostMember(member, other.id, "remove");
  EXPECT_EQ(remove_other.status, 422);
  EXPECT_TRUE(Has(remove_other.body, kRefused));
  EXPECT_EQ(Role(org, member), "member");
  EXPECT_EQ(Role(org, other), "member");

  // A bad role, someone who is not a member, and a form for another organization.
  auto bad = PostMember(owner, member.id, "role", {{"role", "emperor"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(Has(bad.body, "id=\"members-error\"")) << bad.body;
  Person outsider = NewPerson("role-outsider");
  EXPECT_EQ(PostMember(owner, outsider.id, "role", {{"role", "admin"}}).status, 404);
  EXPECT_EQ(PostMember(owner, "not-a-uuid", "remove").status, 404);
  auto elsewhere = Post(owner, "/dashboard/members/" + member.id + "/role",
                        {{"role", "admin"}, {"org", "00000000-0000-0000-0000-000000000000"}});
  EXPECT_EQ(elsewhere.status, 400);
  EXPECT_EQ(Role(org, member), "member");

  // Owner removes a member; the admin removes a member; the member is gone from the page.
  ASSERT_EQ(PostMember(owner, other.id, "remove").status, 303);
  EXPECT_EQ(Role(org, other), "none");
  EXPECT_EQ(Row(Get(owner, "/dashboard/members").body, other), "");
  ASSERT_EQ(PostMember(admin, member.id, "remove").status, 303);
  EXPECT_EQ(Role(org, member), "none");
}

TEST_F(DashboardOrgsE2E, TheLastOwnerCannotLeaveOrStepDownAndAnyoneElseMayLeave) {
  Person owner = NewPerson("last-owner"), member = NewPerson("last-member");
  std::string org = NewOrg("last-org", owner, {{&member, "member"}});
  owner.org = member.org = org;

  auto demote = PostMember(owner, owner.id, "role", {{"role", "admin"}});
  EXPECT_EQ(demote.status, 422);
  EXPECT_TRUE(Has(demote.body, "Not changed: an organization keeps at least one owner"))
      << demote.body;
  auto leave = PostMember(owner, owner.id, "remove");
  EXPECT_EQ(leave.status, 422);
  EXPECT_TRUE(Has(leave.body, "Not changed: an organization keeps at least one owner"));
  EXPECT_EQ(Role(org, owner), "owner");

  // A member leaves: back to the dashboard of its personal organization, the choice forgotten.
  auto left = PostMember(member, member.id, "remove");
  ASSERT_EQ(left.status, 303) << left.body;
  EXPECT_EQ(left.Header("location").value_or(""), "/dashboard");
  auto cookies = left.Headers("set-cookie");
  ASSERT_EQ(cookies.size(), 1u);
  EXPECT_EQ(cookies[0].rfind("oakgate_org=;", 0), 0u) << cookies[0];
  EXPECT_TRUE(Has(cookies[0], "Max-Age=0")) << cookies[0];
  EXPECT_EQ(Role(org, member), "none");
  // Its stale cookie shows its personal organization, without the one it left.
  auto after = Get(member, "/dashboard/members");
  EXPECT_EQ(after.status, 200);
  EXPECT_FALSE(Has(after.body, "Org last-org"));
  EXPECT_FALSE(Has(after.body, owner.email));
}

TEST_F(DashboardOrgsE2E, AMemberSeesNoAgentToolOrRuleControlsAndItsForgedPostsChangeNothing) {
  Person owner = NewPerson("ctl-owner"), member = NewPerson("ctl-member");
  std::string org = NewOrg("ctl-org", owner, {{&member, "member"}});
  owner.org = member.org = org;
  std::string agent = NewAgent(owner, "shared-bot");

  // The owner sees every control; the member none of them.
  auto owner_agent = Get(owner, "/dashboard/agents/" + agent).body;
  for (const char* id : {"id=\"edit-agent\"", "id=\"disable-agent\"", "id=\"create-tool\"",
                         "id=\"create-rule\"", "id=\"new-key-link\""}) {
    EXPECT_TRUE(Has(owner_agent, id)) << id;
  }
  EXPECT_TRUE(Has(Get(owner, "/dashboard/agents").body, "id=\"create-agent\""));
  auto list = Get(member, "/dashboard/agents");
  EXPECT_TRUE(Has(list.body, "shared-bot")) << "a member reads the agents";
  EXPECT_FALSE(Has(list.body, "id=\"create-agent\""));
  auto page = Get(member, "/dashboard/agents/" + agent);
  ASSERT_EQ(page.status, 200);
  for (const char* id : {"id=\"edit-agent\"", "id=\"disable-agent\"", "id=\"create-tool\"",
                         "id=\"create-rule\"", "id=\"new-key-link\"",
                         "<form method=\"post\" "
                         "action=\"/dashboard/agents"}) {
    EXPECT_FALSE(Has(page.body, id)) << id;
  }
  EXPECT_TRUE(Has(page.body, "id=\"read-only\""));

  // Forged: every change is refused with the reason, and nothing changed.
  std::string base = "/dashboard/agents/" + agent;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> forged = {
      {"/dashboard/agents", {{"name", "member-bot"}}},
      {base, {{"name", "renamed"}, {"rate_limit", "5"}, {"burst", "5"}, {"enabled", "on"}}},
      {base + "/disable", {}},
      {base + "/tools", {{"name", "github"}, {"scopes", "read"}}},
      {base + "/rules", {{"tool", "*"}, {"scope", "*"}}},
  };
  for (const auto& [path, fields] : forged) {
    auto r = Post(member, path, fields);
    EXPECT_EQ(r.status, 422) << path << "\n" << r.body;
    EXPECT_TRUE(Has(r.body, kRefused)) << path;
  }
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM agents WHERE org_id = '" + org + "'"), "1");
  EXPECT_EQ(
      db_->Scalar("SELECT name || ' ' || enabled || ' ' || rate_limit FROM agents WHERE id = '" +
                  agent + "'"),
      "shared-bot true 60");
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM tools WHERE agent_id = '" + agent + "'"), "0");
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM rules WHERE agent_id = '" + agent + "'"), "0");
}

TEST_F(DashboardOrgsE2E, AMemberSeesNoDeleteOrRuleChangeAndItsForgedOnesChangeNothing) {
  Person owner = NewPerson("del-owner"), member = NewPerson("del-member");
  Person stranger = NewPerson("del-stranger");
  std::string org = NewOrg("del-org", owner, {{&member, "member"}});
  owner.org = member.org = org;
  std::string agent = NewAgent(owner, "guarded-bot"), base = "/dashboard/agents/" + agent;
  ASSERT_EQ(Post(owner, base + "/tools", {{"name", "github"}, {"scopes", "read"}}).status, 303);
  ASSERT_EQ(Post(owner, base + "/rules", {{"tool", "github"}, {"scope", "read"}}).status, 303);
  std::string rule = db_->Scalar("SELECT id FROM rules WHERE agent_id = '" + agent + "'");
  std::string rule_page = base + "/rules/" + rule;

  // The owner sees the delete and change controls; the member none, on either page.
  auto owner_page = Get(owner, base).body;
  for (const std::string& control :
       {"action=\"" + base + "/tools/github/delete\"", "action=\"" + rule_page + "/delete\"",
        "href=\"" + rule_page + "\""}) {
    EXPECT_TRUE(Has(owner_page, control)) << control;
  }
  auto owner_rule = Get(owner, rule_page).body;
  EXPECT_TRUE(Has(owner_rule, "id=\"edit-rule\"")) << owner_rule;
  EXPECT_TRUE(Has(owner_rule, "id=\"delete-rule\""));
  auto member_page = Get(member, base).body;
  EXPECT_TRUE(Has(member_page, "<code>github</code>")) << "a member reads the tools and rules";
  EXPECT_FALSE(Has(member_page, "/delete")) << member_page;
  EXPECT_FALSE(Has(member_page, "href=\"" + rule_page + "\""));
  auto member_rule = Get(member, rule_page);
  ASSERT_EQ(member_rule.status, 200);
  EXPECT_TRUE(Has(member_rule.body, "id=\"read-only\""));
  EXPECT_FALSE(Has(member_rule.body, "<form method=\"post\" action=\"/dashboard/agents"));

  // Forged: refused with the reason, and the tool and the rule are as they were.
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> forged = {
      {base + "/tools/github/delete", {}},
      {rule_page + "/delete", {}},
      {rule_page, {{"tool", "*"}, {"scope", "*"}, {"require_reasoning", "hard"}}},
  };
  for (const auto& [path, fields] : forged) {
    auto r = Post(member, path, fields);
    EXPECT_EQ(r.status, 422) << path << "\n" << r.body;
    EXPECT_TRUE(Has(r.body, kRefused)) << path;
  }
  // Another organization's agent or rule is no such page.
  for (const auto& [path, fields] : forged) {
    EXPECT_EQ(Post(stranger, path, fields).status, 404) << path;
  }
  EXPECT_EQ(Get(stranger, rule_page).status, 404);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM tools WHERE agent_id = '" + agent + "'"), "1");
  EXPECT_EQ(db_->Scalar("SELECT tool || ' ' || scope || ' ' || require_reasoning FROM rules"
                        " WHERE agent_id = '" +
                        agent + "'"),
            "github read none");
}

TEST_F(DashboardOrgsE2E, TheOwnerChangesARuleOnItsPageAndDeletesRulesAndToolsFromTheAgentPage) {
  Person owner = NewPerson("edit-owner");
  std::string agent = NewAgent(owner, "edited-bot"), base = "/dashboard/agents/" + agent;
  std::string other = NewAgent(owner, "other-bot");
  ASSERT_EQ(Post(owner, base + "/tools", {{"name", "github"}, {"scopes", "read write"}}).status,
            303);
  ASSERT_EQ(Post(owner, base + "/rules", {{"tool", "github"}, {"scope", "read"}}).status, 303);
  std::string rule = db_->Scalar("SELECT id FROM rules WHERE agent_id = '" + agent + "'");
  std::string rule_page = base + "/rules/" + rule;
  auto rules = [&] {
    return db_->Scalar(
        "SELECT coalesce(string_agg(tool || ' ' || scope || ' ' || require_reasoning, ','), '')"
        " FROM rules WHERE agent_id = '" +
        agent + "'");
  };

  // The rule's page shows its form filled with the rule.
  auto page = Get(owner, rule_page);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(Has(page.body, "id=\"rule-tool\" name=\"tool\" value=\"github\"")) << page.body;
  EXPECT_TRUE(Has(page.body, "id=\"rule-scope\" name=\"scope\" value=\"read\""));
  EXPECT_TRUE(Has(page.body, "<option value=\"none\" selected>"));
  // A bad field: the form again with what was typed and the error at the field; unchanged.
  auto bad = Post(owner, rule_page,
                  {{"tool", "github"}, {"scope", "bad scope"}, {"require_reasoning", "hard"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(Has(bad.body, "id=\"rule-scope-error\"")) << bad.body;
  EXPECT_TRUE(Has(bad.body, "value=\"bad scope\""));
  EXPECT_TRUE(Has(bad.body, "<option value=\"hard\" selected>"));
  EXPECT_EQ(rules(), "github read none");
  // Changed: back to the agent's page, which lists the rule as it now is.
  auto saved = Post(owner, rule_page,
                    {{"tool", "github"}, {"scope", "write"}, {"require_reasoning", "hard"}});
  ASSERT_EQ(saved.status, 303) << saved.body;
  EXPECT_EQ(saved.Header("location").value_or(""), base);
  EXPECT_EQ(rules(), "github write hard");
  EXPECT_TRUE(
      Has(Get(owner, base).body, "<td><code>write</code></td><td class=\"effect\">allow</td>"));
  // The rule under another agent's path is no such page.
  EXPECT_EQ(Get(owner, "/dashboard/agents/" + other + "/rules/" + rule).status, 404);
  EXPECT_EQ(Post(owner, "/dashboard/agents/" + other + "/rules/" + rule + "/delete", {}).status,
            422);
  EXPECT_EQ(rules(), "github write hard");

  // Deleted from the agent's page; a second deletion says there is no such rule.
  ASSERT_EQ(Post(owner, rule_page + "/delete", {}).status, 303);
  EXPECT_EQ(rules(), "");
  EXPECT_EQ(Get(owner, rule_page).status, 404);
  auto again = Post(owner, rule_page + "/delete", {});
  EXPECT_EQ(again.status, 422);
  EXPECT_TRUE(Has(again.body, "id=\"rules-error\"")) << again.body;
  EXPECT_TRUE(Has(again.body, "no such rule"));
  ASSERT_EQ(Post(owner, base + "/tools/github/delete", {}).status, 303);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM tools WHERE agent_id = '" + agent + "'"), "0");
  auto gone = Post(owner, base + "/tools/github/delete", {});
  EXPECT_EQ(gone.status, 422);
  EXPECT_TRUE(Has(gone.body, "Not changed: no such tool")) << gone.body;
}

TEST_F(DashboardOrgsE2E, AMemberRevokesAndRotatesOnlyKeysOfAgentsItCreated) {
  Person owner = NewPerson("key-owner"), member = NewPerson("key-member");
  std::string org = NewOrg("key-org", owner, {{&member, "admin"}});
  owner.org = member.org = org;
  // The member made one agent while it was an admin; the owner made the other.
  std::string my_agent = NewAgent(member, "mine"), their_agent = NewAgent(owner, "theirs");
  Cli({"org", "set-role", "--org", "key-org", "--user", member.email, "--role", "member"});

  // Keys: the member issues one for its own agent, and cannot for the owner's.
  auto issued = Post(member, "/dashboard/keys", {{"agent_id", my_agent}, {"name", "mine"}});
  ASSERT_EQ(issued.status, 303) << issued.body;
  std::string my_key = issued.Header("location").value_or("").substr(16, 19);
  auto forged_issue = Post(member, "/dashboard/keys", {{"agent_id", their_agent}, {"name", "x"}});
  EXPECT_EQ(forged_issue.status, 422);
  EXPECT_TRUE(Has(forged_issue.body,
                  "Not allowed: a member issues and revokes keys only of agents it created"))
      << forged_issue.body;
  auto owners = Post(owner, "/dashboard/keys", {{"agent_id", their_agent}, {"name", "theirs"}});
  ASSERT_EQ(owners.status, 303);
  std::string their_key = owners.Header("location").value_or("").substr(16, 19);
  ASSERT_EQ(their_key.rfind("pk_", 0), 0u) << their_key;

  auto keys = Get(member, "/dashboard/keys").body;
  EXPECT_TRUE(Has(keys, "/dashboard/keys/" + my_key + "/revoke")) << keys;
  EXPECT_TRUE(Has(keys, "/dashboard/keys/" + my_key + "/rotate"));
  EXPECT_TRUE(Has(keys, their_key)) << "a member reads every key";
  EXPECT_FALSE(Has(keys, "/dashboard/keys/" + their_key + "/revoke"));
  EXPECT_FALSE(Has(keys, "/dashboard/keys/" + their_key + "/rotate"));
  // Only its own agent is offered for a new key, and no default agent to be made.
  EXPECT_TRUE(Has(keys, "<option value=\"" + my_agent + "\""));
  EXPECT_FALSE(Has(keys, "<option value=\"" + their_agent + "\""));
  EXPECT_FALSE(Has(keys, "default (created if missing)"));
  EXPECT_TRUE(Has(Get(member, "/dashboard/agents/" + my_agent).body, "id=\"new-key-link\""));
  EXPECT_FALSE(Has(Get(member, "/dashboard/agents/" + their_agent).body, "id=\"new-key-link\""));
  // The owner sees the controls of every key.
  auto owner_keys = Get(owner, "/dashboard/keys").body;
  EXPECT_TRUE(Has(owner_keys, "/dashboard/keys/" + my_key + "/revoke"));
  EXPECT_TRUE(Has(owner_keys, "/dashboard/keys/" + their_key + "/revoke"));

  // Forged revocation and rotation of the owner's key: refused, the key unchanged.
  auto revoke = Post(member, "/dashboard/keys/" + their_key + "/revoke", {});
  EXPECT_EQ(revoke.status, 422);
  EXPECT_TRUE(Has(revoke.body, "Not allowed: a member issues and revokes keys only of agents"));
  auto rotate = Post(member, "/dashboard/keys/" + their_key + "/rotate", {{"grace_seconds", "0"}});
  EXPECT_EQ(rotate.status, 422);
  EXPECT_TRUE(Has(rotate.body, "Not allowed: a member issues and revokes keys only of agents"));
  EXPECT_EQ(
      db_->Scalar("SELECT revoked_at IS NULL FROM api_keys WHERE key_id = '" + their_key + "'"),
      "t");
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM api_keys WHERE agent_id = '" + their_agent + "'"),
            "1");
  // Its own key: revoked.
  ASSERT_EQ(Post(member, "/dashboard/keys/" + my_key + "/revoke", {}).status, 303);
  EXPECT_EQ(
      db_->Scalar("SELECT revoked_at IS NOT NULL FROM api_keys WHERE key_id = '" + my_key + "'"),
      "t");

  // A member with no agent of its own has no form to issue a key.
  Person reader = NewPerson("key-reader");
  Cli({"org", "add-member", "--org", "key-org", "--user", reader.email, "--role", "member"});
  reader.org = org;
  auto reader_keys = Get(reader, "/dashboard/keys").body;
  EXPECT_FALSE(Has(reader_keys, "id=\"create-key\""));
  EXPECT_TRUE(Has(reader_keys, "id=\"no-issue\""));
}

TEST_F(DashboardOrgsE2E, CreatingAnOrganizationMakesTheVisitorItsOwnerAndShowsIt) {
  Person p = NewPerson("maker");
  auto bad = Post(p, "/dashboard/orgs", {{"name", "Team"}, {"slug", "No Caps"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(Has(bad.body, "id=\"org-slug-error\"")) << bad.body;
  EXPECT_TRUE(Has(bad.body, "slug must match [a-z0-9-]{3,40}"));
  EXPECT_TRUE(Has(bad.body, "value=\"No Caps\""));
  auto made = Post(p, "/dashboard/orgs", {{"name", "Team <b>"}, {"slug", "maker-team"}});
  ASSERT_EQ(made.status, 303) << made.body;
  EXPECT_EQ(made.Header("location").value_or(""), "/dashboard/members");
  auto cookies = made.Headers("set-cookie");
  ASSERT_EQ(cookies.size(), 1u);
  std::string org = db_->Scalar("SELECT id FROM organizations WHERE slug = 'maker-team'");
  EXPECT_EQ(cookies[0].rfind("oakgate_org=" + org + ";", 0), 0u) << cookies[0];
  p.org = org;
  EXPECT_EQ(Role(org, p), "owner");
  auto page = Get(p, "/dashboard/members");
  EXPECT_TRUE(Has(page.body, "id=\"org-title\">Team &lt;b&gt;<")) << page.body;
  EXPECT_TRUE(Has(page.body, "selected aria-current=\"true\">Team &lt;b&gt; (owner)"));
  auto taken = Post(p, "/dashboard/orgs", {{"name", "Again"}, {"slug", "maker-team"}});
  EXPECT_EQ(taken.status, 422);
  EXPECT_TRUE(Has(taken.body, "an organization with this slug exists"));
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM organizations WHERE slug = 'maker-team'"), "1");
}

TEST_F(DashboardOrgsE2E, TheUsagePageShowsThisMonthOfTheChosenOrganizationOnly) {
  Person owner = NewPerson("use-owner"), member = NewPerson("use-member");
  std::string org = NewOrg("use-org", owner, {{&member, "member"}});
  Cli({"org", "set-limits", "--org", "use-org", "--max-agents", "4", "--monthly-decisions", "200"});
  owner.org = member.org = org;
  std::string agent = NewAgent(owner, "counted");
  ASSERT_EQ(
      Post(owner, "/dashboard/agents/" + agent + "/tools", {{"name", "github"}, {"scopes", "read"}})
          .status,
      303);
  ASSERT_EQ(
      Post(owner, "/dashboard/agents/" + agent + "/rules", {{"tool", "github"}, {"scope", "read"}})
          .status,
      303);
  auto issued = Post(owner, "/dashboard/keys", {{"agent_id", agent}, {"name", "k"}});
  ASSERT_EQ(issued.status, 303);
  std::string key = [&] {
    auto shown = Get(owner, issued.Header("location").value_or(""));
    std::smatch m;
    std::regex_search(shown.body, m, std::regex(R"re(id="new-key" value="([^"]*)")re"));
    return HtmlUnescape(m[1]);
  }();
  ASSERT_EQ(key.rfind("pk_", 0), 0u) << key;
  for (const char* scope : {"read", "read", "write"}) {
    auto v = CallValidate(Port(), key, {{"tool", "github"}, {"scope", scope}});
    ASSERT_EQ(v.status, 200) << v.raw.body;
  }

  std::string today = db_->Scalar("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')");
  auto page = Get(member, "/dashboard/usage");  // a member reads it
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(Has(page.body, "id=\"usage-month\">" + today.substr(0, 7) + "<")) << page.body;
  EXPECT_TRUE(Has(page.body, "id=\"usage-allowed\">2<"));
  EXPECT_TRUE(Has(page.body, "id=\"usage-denied\">1<"));
  EXPECT_TRUE(Has(page.body, "id=\"limit-decisions\">3 of 200 (1%)<")) << page.body;
  EXPECT_TRUE(Has(page.body, "id=\"limit-agents\">1 of 4 (25%)<"));
  std::string row = page.body.substr(page.body.find("<tr data-agent-id=\"" + agent + "\""));
  row = row.substr(0, row.find("</tr>"));
  EXPECT_TRUE(Has(row, ">counted</a>")) << row;
  EXPECT_TRUE(Has(row, "class=\"allowed\">2<")) << row;
  EXPECT_TRUE(Has(row, "class=\"denied\">1<")) << row;
  // The daily chart: every day of the month, today's bar holding the three.
  EXPECT_TRUE(Has(page.body, "data-total=\"3\"")) << page.body;
  EXPECT_TRUE(Has(page.body, "<g class=\"bar\" data-date=\"" + today +
                                 "\" data-allowed=\"2\" data-denied=\"1\">"));
  EXPECT_TRUE(Has(page.body, "data-date=\"" + today.substr(0, 8) + "01\""));

  // Another month has nothing; a bad one is a 400 page; the personal organization has none.
  auto old = Get(member, "/dashboard/usage?month=2020-02");
  EXPECT_EQ(old.status, 200);
  EXPECT_TRUE(Has(old.body, "id=\"usage-allowed\">0<"));
  EXPECT_TRUE(Has(old.body, "data-date=\"2020-02-29\""));
  EXPECT_FALSE(Has(old.body, "data-date=\"2020-03-01\""));
  EXPECT_TRUE(Has(old.body, "href=\"/dashboard/usage?month=2020-01\""));
  EXPECT_TRUE(Has(old.body, "href=\"/dashboard/usage?month=2020-03\""));
  EXPECT_EQ(Get(member, "/dashboard/usage?month=2020-13").status, 400);
  EXPECT_EQ(Get(member, "/dashboard/usage?month=%ZZ").status, 400);
  Person personal = member;
  personal.org.clear();
  auto mine = Get(personal, "/dashboard/usage");
  EXPECT_TRUE(Has(mine.body, "id=\"usage-allowed\">0<"));
  EXPECT_TRUE(Has(mine.body, "id=\"limit-decisions\">0 (no limit)<"));
  EXPECT_FALSE(Has(mine.body, agent));
}

TEST_F(DashboardOrgsE2E, ANewInvitationsLinkIsShownOnceAndReloadingMakesNoSecond) {
  Person owner = NewPerson("inv-owner"), admin = NewPerson("inv-admin"),
         member = NewPerson("inv-member");
  std::string org = NewOrg("inv-org", owner, {{&admin, "admin"}, {&member, "member"}});
  owner.org = admin.org = member.org = org;
  auto count = [&] {
    return db_->Scalar("SELECT count(*) FROM org_invitations WHERE org_id = '" + org + "'");
  };

  // Who sees the form, with which roles.
  auto as_owner = Get(owner, "/dashboard/members").body;
  EXPECT_TRUE(Has(as_owner, "id=\"create-invitation\""));
  EXPECT_TRUE(Has(as_owner, "<option value=\"owner\" >owner</option></select>")) << as_owner;
  auto as_admin = Get(admin, "/dashboard/members").body;
  EXPECT_TRUE(Has(as_admin, "id=\"create-invitation\""));
  EXPECT_FALSE(Has(as_admin, "<option value=\"owner\" >owner</option></select>"));
  EXPECT_FALSE(Has(Get(member, "/dashboard/members").body, "id=\"create-invitation\""));
  Person personal = owner;
  personal.org.clear();
  EXPECT_FALSE(Has(Get(personal, "/dashboard/members").body, "id=\"create-invitation\""));

  // The owner invites: 303 with nothing of the link in it, to the page that shows it.
  auto made = Post(owner, "/dashboard/members/invitations",
                   {{"email", "new-admin@example.com"}, {"role", "admin"}, {"org", org}});
  ASSERT_EQ(made.status, 303) << made.body;
  EXPECT_EQ(made.Header("cache-control").value_or(""), "no-store");
  EXPECT_EQ(made.body.find("/web/invitations/"), std::string::npos);
  std::string location = made.Header("location").value_or("");
  std::string id = db_->Scalar("SELECT id FROM org_invitations WHERE org_id = '" + org + "'");
  EXPECT_EQ(location, "/dashboard/members/invitations/" + id + "/created");
  auto cookies = made.Headers("set-cookie");
  ASSERT_EQ(cookies.size(), 1u);
  EXPECT_TRUE(Has(cookies[0], "; HttpOnly")) << cookies[0];
  EXPECT_TRUE(Has(cookies[0], "; SameSite=Strict")) << cookies[0];
  EXPECT_TRUE(Has(cookies[0], "; Path=" + location)) << cookies[0];
  EXPECT_FALSE(Has(cookies[0], "/web/invitations/")) << "the link is sealed, not in the clear";
  std::string invite_cookie = cookies[0].substr(0, cookies[0].find(';'));

  // The page shows the link once and tells the browser to forget it.
  Person browser = owner;
  browser.session += "; " + invite_cookie;
  auto shown = Get(browser, location);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.Header("cache-control").value_or(""), "no-store");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      shown.body, m,
      std::regex(
          R"re(id="new-invite" value="(http://[^"]+/web/invitations/([A-Za-z0-9_-]{43}))")re")))
      << shown.body;
  std::string link = m[1], token = m[2];
  EXPECT_TRUE(Has(shown.body, "id=\"invite-email\">new-admin@example.com<")) << shown.body;
  EXPECT_TRUE(Has(shown.body, "id=\"invite-role\">admin<"));
  auto cleared = shown.Headers("set-cookie");
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].rfind("oakgate_invite=;", 0), 0u) << cleared[0];
  EXPECT_TRUE(Has(cleared[0], "Max-Age=0"));
  // Reloaded (the cookie gone): "shown once", no link, and still one invitation.
  auto again = Get(owner, location);
  EXPECT_EQ(again.status, 200);
  EXPECT_FALSE(Has(again.body, token));
  EXPECT_TRUE(Has(again.body, "This invitation's link was shown once.")) << again.body;
  EXPECT_EQ(count(), "1");
  // The sealed cookie opens only with the session that made it.
  Person thief = admin;
  thief.session += "; " + invite_cookie;
  auto stolen = Get(thief, location);
  EXPECT_EQ(stolen.status, 200);
  EXPECT_FALSE(Has(stolen.body, token));
  // Only the token's SHA-256 is stored; the link leads a signed-out visitor on to sign in.
  EXPECT_EQ(db_->Scalar("SELECT encode(token_hash, 'hex') = encode(sha256(convert_to('" + token +
                        "', 'UTF8')), 'hex') FROM org_invitations WHERE id = '" + id + "'"),
            "t");
  EXPECT_EQ(Fetch(Port(), "GET", link.substr(link.find("/web/"))).status, 303);

  // The members page lists it as pending, with revoke for owners and admins only.
  std::string listed = Get(owner, "/dashboard/members").body;
  EXPECT_TRUE(Has(
      listed, "<tr data-invitation-id=\"" + id + "\"><td>new-admin@example.com</td><td>admin</td>"))
      << listed;
  EXPECT_TRUE(Has(listed, "/dashboard/members/invitations/" + id + "/revoke"));
  EXPECT_TRUE(Has(Get(admin, "/dashboard/members").body, "/invitations/" + id + "/revoke"));
  std::string as_member = Get(member, "/dashboard/members").body;
  EXPECT_TRUE(Has(as_member, "new-admin@example.com"));
  EXPECT_FALSE(Has(as_member, "/revoke\""));

  // Refused: a member inviting or revoking, an admin inviting an owner; a bad address.
  auto by_member = Post(member, "/dashboard/members/invitations",
                        {{"email", "x@example.com"}, {"role", "member"}, {"org", org}});
  EXPECT_EQ(by_member.status, 422);
  EXPECT_TRUE(Has(by_member.body, "Not allowed: members cannot invite")) << by_member.body;
  auto owner_by_admin = Post(admin, "/dashboard/members/invitations",
                             {{"email", "x@example.com"}, {"role", "owner"}, {"org", org}});
  EXPECT_EQ(owner_by_admin.status, 422);
  EXPECT_TRUE(Has(owner_by_admin.body, "Not allowed: admins invite members and admins only"));
  auto revoke_by_member =
      Post(member, "/dashboard/members/invitations/" + id + "/revoke", {{"org", org}});
  EXPECT_EQ(revoke_by_member.status, 422);
  EXPECT_TRUE(Has(revoke_by_member.body, "Not allowed: members cannot revoke invitations"));
  auto bad = Post(owner, "/dashboard/members/invitations",
                  {{"email", "not an address"}, {"role", "member"}, {"org", org}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(Has(bad.body, "id=\"invite-email-error\"")) << bad.body;
  EXPECT_TRUE(Has(bad.body, "value=\"not an address\""));
  auto already = Post(owner, "/dashboard/members/invitations",
                      {{"email", member.email}, {"role", "member"}, {"org", org}});
  EXPECT_EQ(already.status, 422);
  EXPECT_TRUE(Has(already.body, "a user with that email is a member already"));
  EXPECT_EQ(count(), "1");

  // The owner revokes it: no longer listed, and its link is gone.
  auto revoked = Post(owner, "/dashboard/members/invitations/" + id + "/revoke", {{"org", org}});
  ASSERT_EQ(revoked.status, 303) << revoked.body;
  EXPECT_EQ(revoked.Header("location").value_or(""), "/dashboard/members");
  EXPECT_FALSE(Has(Get(owner, "/dashboard/members").body, "data-invitation-id=\"" + id + "\""));
  EXPECT_EQ(
      db_->Scalar("SELECT revoked_at IS NOT NULL FROM org_invitations WHERE id = '" + id + "'"),
      "t");
  EXPECT_EQ(Fetch(Port(), "GET", link.substr(link.find("/web/"))).status, 410);
  EXPECT_EQ(Post(owner, "/dashboard/members/invitations/" + id + "/revoke", {{"org", org}}).status,
            404);
}

TEST_F(DashboardOrgsE2E, ANewWebhooksSecretIsShownOnceAndMembersCannotChangeWebhooks) {
  Person owner = NewPerson("hook-owner"), admin = NewPerson("hook-admin"),
         member = NewPerson("hook-member");
  std::string org = NewOrg("hook-org", owner, {{&admin, "admin"}, {&member, "member"}});
  owner.org = admin.org = member.org = org;
  auto count = [&] {
    return db_->Scalar("SELECT count(*) FROM webhook_endpoints WHERE org_id = '" + org + "'");
  };
  // Every page links to the webhooks; owners and admins see the form, members do not.
  EXPECT_TRUE(Has(Get(member, "/dashboard").body, "href=\"/dashboard/webhooks\""));
  EXPECT_TRUE(Has(Get(owner, "/dashboard/webhooks").body, "id=\"create-webhook\""));
  EXPECT_TRUE(Has(Get(admin, "/dashboard/webhooks").body, "id=\"create-webhook\""));
  auto empty = Get(member, "/dashboard/webhooks");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_FALSE(Has(empty.body, "id=\"create-webhook\""));
  EXPECT_TRUE(Has(empty.body, "id=\"no-webhooks\""));

  // Refused when written: plain http, an internal address, no event; the form keeps the input.
  for (const char* url : {"http://hooks.example.com/in", "https://127.0.0.1/in",
                          "https://10.0.0.1/in", "https://localhost/in"}) {
    auto bad = Post(owner, "/dashboard/webhooks",
                    {{"url", url}, {"event_decision.denied", "1"}, {"org", org}});
    EXPECT_EQ(bad.status, 422) << url;
    EXPECT_TRUE(Has(bad.body, "id=\"webhook-url-error\"")) << url << "\n" << bad.body;
  }
  auto no_events =
      Post(owner, "/dashboard/webhooks", {{"url", "https://hooks.example.com/in"}, {"org", org}});
  EXPECT_EQ(no_events.status, 422);
  EXPECT_TRUE(Has(no_events.body, "id=\"webhook-events-error\"")) << no_events.body;
  EXPECT_TRUE(Has(no_events.body, "value=\"https://hooks.example.com/in\""));
  EXPECT_EQ(count(), "0");

  // Created: 303 with nothing of the secret in it, to the page that shows it once.
  auto made = Post(admin, "/dashboard/webhooks",
                   {{"url", "https://hooks.example.com/in"},
                    {"description", "alerts"},
                    {"event_api_key.created", "1"},
                    {"event_decision.denied", "1"},
                    {"org", org}});
  ASSERT_EQ(made.status, 303) << made.body;
  EXPECT_EQ(made.body.find("whsec_"), std::string::npos);
  std::string id = db_->Scalar("SELECT id FROM webhook_endpoints WHERE org_id = '" + org + "'");
  EXPECT_EQ(db_->Scalar("SELECT array_to_string(events, ',') FROM webhook_endpoints"),
            "decision.denied,api_key.created");
  std::string location = made.Header("location").value_or("");
  EXPECT_EQ(location, "/dashboard/webhooks/" + id + "/created");
  auto cookies = made.Headers("set-cookie");
  ASSERT_EQ(cookies.size(), 1u);
  EXPECT_TRUE(Has(cookies[0], "; HttpOnly")) << cookies[0];
  EXPECT_TRUE(Has(cookies[0], "; SameSite=Strict")) << cookies[0];
  EXPECT_TRUE(Has(cookies[0], "; Path=" + location)) << cookies[0];
  EXPECT_FALSE(Has(cookies[0], "whsec_")) << "the secret is sealed, not in the clear";
  Person browser = admin;
  browser.session += "; " + cookies[0].substr(0, cookies[0].find(';'));
  auto shown = Get(browser, location);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.Header("cache-control").value_or(""), "no-store");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      shown.body, m, std::regex(R"re(id="new-secret" value="(whsec_[A-Za-z0-9+/=]+)")re")))
      << shown.body;
  std::string secret = m[1];
  auto cleared = shown.Headers("set-cookie");
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].rfind("oakgate_whsec=;", 0), 0u) << cleared[0];
  // Reloaded: "shown once", no secret, and still one endpoint; at rest it is sealed.
  auto again = Get(admin, location);
  EXPECT_EQ(again.status, 200);
  EXPECT_FALSE(Has(again.body, secret));
  EXPECT_TRUE(Has(again.body, "This secret was shown once.")) << again.body;
  EXPECT_EQ(count(), "1");
  EXPECT_EQ(db_->Scalar("SELECT position(convert_to('" + secret +
                        "', 'UTF8') IN secret_sealed) FROM webhook_endpoints"),
            "0");
  EXPECT_FALSE(Has(Get(owner, "/dashboard/webhooks").body, secret));

  // An API key made in the organization is a delivery, listed with its status.
  std::string agent = NewAgent(owner, "hooked-bot");
  ASSERT_EQ(Post(owner, "/dashboard/keys", {{"name", "k"}, {"agent_id", agent}}).status, 303);
  auto listed = Get(member, "/dashboard/webhooks").body;
  EXPECT_TRUE(Has(listed, "https://hooks.example.com/in"));
  EXPECT_TRUE(Has(listed, "decision.denied api_key.created")) << listed;
  EXPECT_TRUE(Has(listed, "<td>api_key.created</td><td class=\"status\">")) << listed;
  // A member sees no control, and its forged posts are refused, changing nothing.
  EXPECT_FALSE(Has(listed, "action=\"/dashboard/webhooks/"));
  std::string base = "/dashboard/webhooks/" + id;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> forged = {
      {"/dashboard/webhooks",
       {{"url", "https://evil.example.com/"}, {"event_decision.denied", "1"}}},
      {base + "/disable", {}},
      {base + "/rotate", {}},
      {base + "/delete", {}},
  };
  for (auto [path, fields] : forged) {
    fields.emplace_back("org", org);
    auto r = Post(member, path, fields);
    EXPECT_EQ(r.status, 422) << path << "\n" << r.body;
    EXPECT_TRUE(Has(r.body, "Not allowed: only owners and admins manage webhooks")) << path;
    EXPECT_TRUE(r.Headers("set-cookie").empty()) << path;
  }
  EXPECT_EQ(count(), "1");
  EXPECT_EQ(db_->Scalar("SELECT enabled FROM webhook_endpoints"), "t");
  EXPECT_EQ(db_->Scalar("SELECT previous_sealed IS NULL FROM webhook_endpoints"), "t");

  // Owners and admins disable, enable, rotate (a new secret, shown once) and delete.
  auto owner_page = Get(owner, "/dashboard/webhooks").body;
  for (const std::string action : {"/disable", "/rotate", "/delete"}) {
    EXPECT_TRUE(Has(owner_page, "action=\"" + base + action + "\"")) << action;
  }
  ASSERT_EQ(Post(owner, base + "/disable", {{"org", org}}).status, 303);
  EXPECT_EQ(db_->Scalar("SELECT enabled FROM webhook_endpoints"), "f");
  EXPECT_TRUE(Has(Get(owner, "/dashboard/webhooks").body, "action=\"" + base + "/enable\""));
  ASSERT_EQ(Post(owner, base + "/enable", {{"org", org}}).status, 303);
  EXPECT_EQ(db_->Scalar("SELECT enabled FROM webhook_endpoints"), "t");
  auto rotated = Post(owner, base + "/rotate", {{"org", org}});
  ASSERT_EQ(rotated.status, 303) << rotated.body;
  EXPECT_EQ(rotated.Header("location").value_or(""), location);
  Person rotating = owner;
  auto rotate_cookie = rotated.Headers("set-cookie");
  ASSERT_EQ(rotate_cookie.size(), 1u);
  rotating.session += "; " + rotate_cookie[0].substr(0, rotate_cookie[0].find(';'));
  auto next = Get(rotating, location).body;
  ASSERT_TRUE(std::regex_search(
      next, m, std::regex(R"re(id="new-secret" value="(whsec_[A-Za-z0-9+/=]+)")re")))
      << next;
  EXPECT_NE(std::string(m[1]), secret);
  EXPECT_EQ(db_->Scalar("SELECT previous_sealed IS NOT NULL FROM webhook_endpoints"), "t");
  ASSERT_EQ(Post(owner, base + "/delete", {{"org", org}}).status, 303);
  EXPECT_EQ(count(), "0");
  EXPECT_EQ(Post(owner, base + "/delete", {{"org", org}}).status, 404);
}

}  // namespace
}  // namespace oakgate::test
