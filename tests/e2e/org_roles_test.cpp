// Organizations and roles (CONTRACT §9): every management endpoint answered for an owner, an
// admin, a member and a user who is not a member, against the real binary and PostgreSQL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;

enum Who { kOwner, kAdmin, kMember, kStranger };
constexpr const char* kWhoNames[] = {"owner", "admin", "member", "not a member"};

struct User {
  std::string id;
  std::string email;
  std::string token;
};

// One organization made for one cell of the table, with the four users in their roles and
// an agent (with a tool, a rule and a key) made by its owner.
struct Team {
  std::string id;
  std::string slug;
  std::string agent;
  std::string rule;
  std::string key_id;
  std::string spare_member;  // a member whose role a cell may change or who may be removed
  std::string invitation;    // a pending invitation of a member, by the owner
};

class OrgRolesE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    CreateTestClient(gw_->env(), "mgmt");
    for (auto& u : users_) u = NewUser();
    spare_ = NewUser();
  }
  static void TearDownTestSuite() {
    delete gw_;
    delete db_;
  }
  void TearDown() override {
    if (HasFailure())
      std::cerr << gw_->Logs().substr(gw_->Logs().size() > 3000 ? gw_->Logs().size() - 3000 : 0);
  }

  static User NewUser() {
    static int n = 0;
    User u;
    u.email = "org-user" + std::to_string(++n) + "-" + std::to_string(getpid()) + "@example.com";
    u.id = CreateTestUser(gw_->env(), u.email);
    u.token = IssueTestAccessToken(db_->url(), "mgmt", u.id, "keys agents");
    return u;
  }
  static void AddMember(const std::string& slug, const User& u, const std::string& role) {
    auto r = RunOakgate({"org", "add-member", "--org", slug, "--user", u.email, "--role", role},
                        gw_->env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static JsonResponse As(const User& u, const std::string& org, const std::string& method,
                         const std::string& target, const json& body = nullptr) {
    return CallApiIn(gw_->port(), method, target, u.token, org, body);
  }
  static Team NewTeam() {
    static int n = 0;
    Team t;
    t.slug = "team-" + std::to_string(++n) + "-" + std::to_string(getpid());
    auto org =
        As(users_[kOwner], "", "POST", "/api/v1/orgs", {{"name", "A team"}, {"slug", t.slug}});
    EXPECT_EQ(org.status, 201) << org.raw.body;
    t.id = org.body.value("id", "");
    AddMember(t.slug, users_[kAdmin], "admin");
    AddMember(t.slug, users_[kMember], "member");
    AddMember(t.slug, spare_, "member");
    t.spare_member = spare_.id;
    const User& owner = users_[kOwner];
    t.agent =
        As(owner, t.slug, "POST", "/api/v1/agents", {{"name", "shared"}}).body.value("id", "");
    EXPECT_EQ(As(owner, t.slug, "POST", "/api/v1/agents/" + t.agent + "/tools",
                 {{"name", "files"}, {"scopes", {"read", "write"}}})
                  .status,
              201);
    t.rule = As(owner, t.slug, "POST", "/api/v1/agents/" + t.agent + "/rules",
                {{"tool", "files"}, {"scope", "read"}})
                 .body.value("id", "");
    t.key_id =
        As(owner, t.slug, "POST", "/api/v1/auth/api-keys", {{"name", "k"}, {"agent_id", t.agent}})
            .body.value("key_id", "");
    t.invitation = As(owner, "", "POST", "/api/v1/orgs/" + t.slug + "/invitations",
                      {{"email", "invited@example.com"}, {"role", "member"}})
                       .body.value("id", "");
    EXPECT_FALSE(t.agent.empty() || t.rule.empty() || t.key_id.empty() || t.invitation.empty());
    return t;
  }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static User users_[4];
  static User spare_;  // a member of every team, whose role a cell may change or who may go
};
TestDatabase* OrgRolesE2E::db_ = nullptr;
GatewayProcess* OrgRolesE2E::gw_ = nullptr;
User OrgRolesE2E::users_[4];
User OrgRolesE2E::spare_;

struct Endpoint {
  const char* method;
  // The target in a fresh team, and the body.
  std::function<std::string(const Team&)> target;
  std::function<json(const Team&)> body;
  int expected[4];  // owner, admin, member, not a member
  // The organization is named by the path, not by the header.
  bool org_in_path = false;
};

json None(const Team&) { return nullptr; }

TEST_F(OrgRolesE2E, EveryManagementEndpointAnswersEachRoleAsTheContractSays) {
  auto agent = [](const Team& t) { return "/api/v1/agents/" + t.agent; };
  auto org = [](const Team& t) { return "/api/v1/orgs/" + t.slug; };
  const std::vector<Endpoint> table = {
      {"GET",
       [](const Team&) { return std::string("/api/v1/agents"); },
       None,
       {200, 200, 200, 404}},
      {"POST",
       [](const Team&) { return std::string("/api/v1/agents"); },
       [](const Team&) {
         return json{{"name", "another"}};
       },
       {201, 201, 403, 404}},
      {"GET", agent, None, {200, 200, 200, 404}},
      {"PATCH",
       agent,
       [](const Team&) {
         return json{{"enabled", false}};
       },
       {200, 200, 403, 404}},
      {"DELETE", agent, None, {204, 204, 403, 404}},
      {"GET", [&](const Team& t) { return agent(t) + "/tools"; }, None, {200, 200, 200, 404}},
      {"POST",
       [&](const Team& t) { return agent(t) + "/tools"; },
       [](const Team&) {
         return json{{"name", "shell"}, {"scopes", {"run"}}};
       },
       {201, 201, 403, 404}},
      {"GET", [&](const Team& t) { return agent(t) + "/tools/files"; }, None, {200, 200, 200, 404}},
      {"PATCH",
       [&](const Team& t) { return agent(t) + "/tools/files"; },
       [](const Team&) {
         return json{{"scopes", {"read"}}};
       },
       {200, 200, 403, 404}},
      {"DELETE",
       [&](const Team& t) { return agent(t) + "/tools/files"; },
       None,
       {204, 204, 403, 404}},
      {"GET", [&](const Team& t) { return agent(t) + "/rules"; }, None, {200, 200, 200, 404}},
      {"POST",
       [&](const Team& t) { return agent(t) + "/rules"; },
       [](const Team&) {
         return json{{"tool", "files"}, {"scope", "write"}};
       },
       {201, 201, 403, 404}},
      {"GET",
       [&](const Team& t) { return agent(t) + "/rules/" + t.rule; },
       None,
       {200, 200, 200, 404}},
      {"PATCH",
       [&](const Team& t) { return agent(t) + "/rules/" + t.rule; },
       [](const Team&) {
         return json{{"require_reasoning", "soft"}};
       },
       {200, 200, 403, 404}},
      {"DELETE",
       [&](const Team& t) { return agent(t) + "/rules/" + t.rule; },
       None,
       {204, 204, 403, 404}},
      {"GET",
       [](const Team&) { return std::string("/api/v1/auth/api-keys"); },
       None,
       {200, 200, 200, 404}},
      {"POST",
       [](const Team&) { return std::string("/api/v1/auth/api-keys"); },
       [](const Team& t) {
         return json{{"name", "k2"}, {"agent_id", t.agent}};
       },
       {201, 201, 403, 404}},
      {"POST",
       [](const Team& t) { return "/api/v1/auth/api-keys/" + t.key_id + "/rotate"; },
       None,
       {201, 201, 403, 404}},
      {"DELETE",
       [](const Team& t) { return "/api/v1/auth/api-keys/" + t.key_id; },
       None,
       {204, 204, 403, 404}},
      {"GET",
       [](const Team&) { return std::string("/api/v1/decisions"); },
       None,
       {200, 200, 200, 404}},
      {"GET",
       [](const Team&) { return std::string("/api/v1/audit-events"); },
       None,
       {200, 200, 200, 404}},
      {"GET", [](const Team&) { return std::string("/api/v1/usage"); }, None, {200, 200, 200, 404}},
      {"GET", org, None, {200, 200, 200, 404}, true},
      {"PATCH",
       org,
       [](const Team&) {
         return json{{"name", "Renamed"}};
       },
       {200, 403, 403, 404},
       true},
      {"DELETE", org, None, {204, 403, 403, 404}, true},
      {"GET", [&](const Team& t) { return org(t) + "/members"; }, None, {200, 200, 200, 404}, true},
      {"PATCH",
       [&](const Team& t) { return org(t) + "/members/" + t.spare_member; },
       [](const Team&) {
         return json{{"role", "admin"}};
       },
       {200, 200, 403, 404},
       true},
      {"DELETE",
       [&](const Team& t) { return org(t) + "/members/" + t.spare_member; },
       None,
       {204, 204, 403, 404},
       true},
      {"GET",
       [&](const Team& t) { return org(t) + "/invitations"; },
       None,
       {200, 200, 200, 404},
       true},
      {"POST",
       [&](const Team& t) { return org(t) + "/invitations"; },
       [](const Team&) {
         return json{{"email", "newcomer@example.com"}, {"role", "member"}};
       },
       {201, 201, 403, 404},
       true},
      {"DELETE",
       [&](const Team& t) { return org(t) + "/invitations/" + t.invitation; },
       None,
       {204, 204, 403, 404},
       true},
  };
  for (const auto& e : table) {
    for (int who = kOwner; who <= kStranger; ++who) {
      Team team = NewTeam();
      std::string target = e.target(team);
      auto r = As(users_[who], e.org_in_path ? "" : team.slug, e.method, target, e.body(team));
      EXPECT_EQ(r.status, e.expected[who])
          << e.method << " " << target << " as " << kWhoNames[who] << ": " << r.raw.body;
      if (r.status == 403) {
        EXPECT_EQ(r.body.value("error", ""), "forbidden") << target;
      }
      if (r.status == 404) {
        // A stranger learns nothing of the organization: the same answer as for none at all.
        EXPECT_EQ(r.body.value("error", ""), "not_found") << target;
      }
    }
  }
}

TEST_F(OrgRolesE2E, AnOrganizationThatDoesNotExistAnswersLikeOneTheCallerIsNotAMemberOf) {
  Team team = NewTeam();
  auto stranger = As(users_[kStranger], team.slug, "GET", "/api/v1/agents");
  auto nowhere = As(users_[kStranger], "no-such-team", "GET", "/api/v1/agents");
  auto by_id = As(users_[kStranger], team.id, "GET", "/api/v1/agents");
  EXPECT_EQ(stranger.status, 404);
  EXPECT_EQ(nowhere.status, 404);
  EXPECT_EQ(by_id.status, 404);
  EXPECT_EQ(stranger.raw.body, nowhere.raw.body);
  // A member names it by id or by slug alike.
  EXPECT_EQ(As(users_[kMember], team.id, "GET", "/api/v1/agents").status, 200);
}

TEST_F(OrgRolesE2E, WithoutTheHeaderTheCallerActsInItsPersonalOrganization) {
  Team team = NewTeam();
  User alone = NewUser();
  auto mine = As(alone, "", "POST", "/api/v1/agents", {{"name", "solo"}});
  ASSERT_EQ(mine.status, 201) << mine.raw.body;
  auto personal = As(alone, "", "GET", "/api/v1/agents");
  ASSERT_EQ(personal.body["data"].size(), 1u);
  EXPECT_EQ(personal.body["data"][0]["name"], "solo");
  // The team's agent is not in the owner's personal organization, nor the other way round.
  auto owners_personal = As(users_[kOwner], "", "GET", "/api/v1/agents");
  for (const auto& a : owners_personal.body["data"]) EXPECT_NE(a["id"], team.agent);
  auto orgs = As(alone, "", "GET", "/api/v1/orgs");
  ASSERT_EQ(orgs.body["data"].size(), 1u);
  EXPECT_EQ(orgs.body["data"][0]["personal"], true);
  EXPECT_EQ(orgs.body["data"][0]["role"], "owner");
}

TEST_F(OrgRolesE2E, TheLastOwnerCanNeitherLeaveNorBeDemoted) {
  Team team = NewTeam();
  const User& owner = users_[kOwner];
  auto demote = As(owner, "", "PATCH", "/api/v1/orgs/" + team.slug + "/members/" + owner.id,
                   {{"role", "admin"}});
  EXPECT_EQ(demote.status, 409) << demote.raw.body;
  auto leave = As(owner, "", "DELETE", "/api/v1/orgs/" + team.slug + "/members/" + owner.id);
  EXPECT_EQ(leave.status, 409) << leave.raw.body;
  // With a second owner, the first may go.
  ASSERT_EQ(As(owner, "", "PATCH", "/api/v1/orgs/" + team.slug + "/members/" + users_[kAdmin].id,
               {{"role", "owner"}})
                .status,
            200);
  EXPECT_EQ(As(owner, "", "DELETE", "/api/v1/orgs/" + team.slug + "/members/" + owner.id).status,
            204);
  EXPECT_EQ(As(owner, team.slug, "GET", "/api/v1/agents").status, 404) << "no longer a member";
}

TEST_F(OrgRolesE2E, AnAdminNeitherMakesNorUnmakesOwners) {
  Team team = NewTeam();
  const User& admin = users_[kAdmin];
  std::string members = "/api/v1/orgs/" + team.slug + "/members/";
  EXPECT_EQ(As(admin, "", "PATCH", members + team.spare_member, {{"role", "owner"}}).status, 403);
  EXPECT_EQ(As(admin, "", "PATCH", members + users_[kOwner].id, {{"role", "member"}}).status, 403);
  EXPECT_EQ(As(admin, "", "DELETE", members + users_[kOwner].id).status, 403);
}

TEST_F(OrgRolesE2E, AMemberManagesKeysOnlyOfAgentsItCreated) {
  Team team = NewTeam();
  User dev = NewUser();
  AddMember(team.slug, dev, "admin");
  // Created while an admin, then demoted: the agent stays the member's own.
  auto own = As(dev, team.slug, "POST", "/api/v1/agents", {{"name", "devs-agent"}});
  ASSERT_EQ(own.status, 201);
  auto r = RunOakgate(
      {"org", "set-role", "--org", team.slug, "--user", dev.email, "--role", "member"}, gw_->env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto key = As(dev, team.slug, "POST", "/api/v1/auth/api-keys",
                {{"name", "mine"}, {"agent_id", own.body["id"]}});
  ASSERT_EQ(key.status, 201) << key.raw.body;
  EXPECT_EQ(As(dev, team.slug, "POST",
               "/api/v1/auth/api-keys/" + key.body["key_id"].get<std::string>() + "/rotate")
                .status,
            201);
  // Not the owner's agent's key, nor a key on it, nor a default agent made on the way.
  EXPECT_EQ(As(dev, team.slug, "DELETE", "/api/v1/auth/api-keys/" + team.key_id).status, 403);
  EXPECT_EQ(As(dev, team.slug, "POST", "/api/v1/auth/api-keys", {{"name", "no-agent"}}).status,
            403);
  auto agents = As(dev, team.slug, "GET", "/api/v1/agents");
  for (const auto& a : agents.body["data"]) EXPECT_NE(a["name"], "default");
}

TEST_F(OrgRolesE2E, ChangesInAnOrganizationAreItsAuditTrailWithTheActingUser) {
  Team team = NewTeam();
  auto events = As(users_[kMember], team.slug, "GET", "/api/v1/audit-events?type=agent.created");
  ASSERT_EQ(events.status, 200) << events.raw.body;
  ASSERT_EQ(events.body["data"].size(), 1u) << events.raw.body;
  EXPECT_EQ(events.body["data"][0]["actor"], "user:" + users_[kOwner].id + " client:mgmt");
  EXPECT_EQ(events.body["data"][0]["org_id"], team.id);
  // Not in the owner's personal trail.
  auto personal = As(users_[kOwner], "", "GET", "/api/v1/audit-events?type=agent.created");
  for (const auto& e : personal.body["data"]) EXPECT_NE(e["subject"], team.agent);
}

TEST_F(OrgRolesE2E, APersonalOrganizationCannotBeDeletedAndAnOrganizationsSlugIsUnique) {
  Team team = NewTeam();
  auto orgs = As(users_[kOwner], "", "GET", "/api/v1/orgs");
  std::string personal;
  for (const auto& o : orgs.body["data"]) {
    if (o["personal"] == true) personal = o["slug"];
  }
  ASSERT_FALSE(personal.empty());
  EXPECT_EQ(As(users_[kOwner], "", "DELETE", "/api/v1/orgs/" + personal).status, 409);
  auto taken =
      As(users_[kAdmin], "", "POST", "/api/v1/orgs", {{"name", "Copy"}, {"slug", team.slug}});
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.body.value("field", ""), "slug");
  auto bad = As(users_[kAdmin], "", "POST", "/api/v1/orgs", {{"name", "Bad"}, {"slug", "No Caps"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body.value("field", ""), "slug");
}

TEST_F(OrgRolesE2E, TheOperatorsOrgCommandsPrintJsonAndRefuseToLeaveAnOrganizationWithoutOwner) {
  std::string slug = "ops-" + std::to_string(getpid());
  User boss = NewUser();
  auto created = RunOakgate(
      {"org", "create", "--name", "Ops", "--slug", slug, "--owner", boss.email}, gw_->env());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  json org = json::parse(created.out);
  EXPECT_EQ(org["slug"], slug);
  EXPECT_EQ(org["personal"], false);
  EXPECT_EQ(org["plan"], json({{"max_agents", nullptr}, {"monthly_decisions", nullptr}}));
  auto dup = RunOakgate({"org", "create", "--name", "Ops", "--slug", slug, "--owner", boss.email},
                        gw_->env());
  EXPECT_NE(dup.exit_code, 0);
  EXPECT_NE(
      RunOakgate({"org", "create", "--name", "x", "--slug", "Bad Slug", "--owner", boss.email},
                 gw_->env())
          .exit_code,
      0);

  auto added =
      RunOakgate({"org", "add-member", "--org", slug, "--user", users_[kMember].email}, gw_->env());
  ASSERT_EQ(added.exit_code, 0) << added.err;
  json members = json::parse(added.out);
  ASSERT_EQ(members.size(), 2u);
  auto listed = RunOakgate({"org", "list", "--user", users_[kMember].email}, gw_->env());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  bool found = false;
  for (const auto& o : json::parse(listed.out)) {
    if (o["slug"] == slug) found = o["role"] == "member";
  }
  EXPECT_TRUE(found) << listed.out;

  auto demote = RunOakgate(
      {"org", "set-role", "--org", slug, "--user", boss.email, "--role", "member"}, gw_->env());
  EXPECT_NE(demote.exit_code, 0);
  EXPECT_NE(demote.err.find("owner"), std::string::npos) << demote.err;
  EXPECT_NE(RunOakgate({"org", "remove-member", "--org", slug, "--user", boss.email}, gw_->env())
                .exit_code,
            0);
  auto removed = RunOakgate(
      {"org", "remove-member", "--org", slug, "--user", users_[kMember].email}, gw_->env());
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(json::parse(removed.out).size(), 1u);
  // Each change is in the organization's audit trail, by the operator.
  auto trail = As(boss, slug, "GET", "/api/v1/audit-events?type=org.member_removed");
  ASSERT_EQ(trail.body["data"].size(), 1u) << trail.raw.body;
  EXPECT_EQ(trail.body["data"][0]["actor"], "cli");
}

TEST_F(OrgRolesE2E, AnAgentPastThePlansLimitIsRefusedEvenWhenCreatedConcurrently) {
  Team team = NewTeam();  // one agent already
  auto limits =
      RunOakgate({"org", "set-limits", "--org", team.slug, "--max-agents", "3"}, gw_->env());
  ASSERT_EQ(limits.exit_code, 0) << limits.err;
  EXPECT_EQ(json::parse(limits.out)["plan"]["max_agents"], 3);
  std::vector<std::thread> racers;
  std::atomic<int> created{0}, refused{0};
  for (int i = 0; i < 6; ++i) {
    racers.emplace_back([&, i] {
      auto r = As(users_[kAdmin], team.slug, "POST", "/api/v1/agents",
                  {{"name", "racer-" + std::to_string(i)}});
      if (r.status == 201) ++created;
      if (r.status == 403 && r.body.value("error", "") == "quota_exceeded") ++refused;
    });
  }
  for (auto& t : racers) t.join();
  EXPECT_EQ(created.load(), 2);
  EXPECT_EQ(refused.load(), 4);
  // Nor through a key's default agent.
  auto key = As(users_[kOwner], team.slug, "POST", "/api/v1/auth/api-keys", {{"name", "k"}});
  EXPECT_EQ(key.status, 403);
  EXPECT_EQ(key.body.value("error", ""), "quota_exceeded");
  // Unset again: unlimited.
  ASSERT_EQ(RunOakgate({"org", "set-limits", "--org", team.slug}, gw_->env()).exit_code, 0);
  EXPECT_EQ(As(users_[kAdmin], team.slug, "POST", "/api/v1/agents", {{"name", "after"}}).status,
            201);
}

}  // namespace
}  // namespace oakgate::test
