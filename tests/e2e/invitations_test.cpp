// Invitations (CONTRACT §9) against the real binary and PostgreSQL: the API's role rules, the
// token kept only as its hash, acceptance in the browser by the invited address only, and the
// one 410 page for a used, expired or revoked invitation.
#include <gtest/gtest.h>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/teams.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kFixturePassword = "a-test-password-123";  // CreateTestUser's

class InvitationsE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url(), {{"OAKGATE_ISSUER", "http://127.0.0.1:4999/auth"}});
    const auto& env = gw_->env();
    owner_ = new TeamUser(MakeTeamUser(env, db_->url(), "owner@example.com"));
    admin_ = new TeamUser(MakeTeamUser(env, db_->url(), "admin@example.com"));
    member_ = new TeamUser(MakeTeamUser(env, db_->url(), "member@example.com"));
    stranger_ = new TeamUser(MakeTeamUser(env, db_->url(), "stranger@example.com"));
    org_ = MakeOrg(gw_->port(), *owner_, "Team", "team");
    // The admin and the member join through the API's own invitations.
    for (auto [user, role] : {std::pair{admin_, "admin"}, std::pair{member_, "member"}}) {
      auto r = Invite(*owner_, user->email, role);
      EXPECT_EQ(r.status, 201) << r.raw.body;
      std::string cookie = LoginSession(gw_->port(), user->email, kFixturePassword);
      EXPECT_EQ(Accept(cookie, InvitationToken(r.body["invite_url"])).status, 303);
    }
  }
  static void TearDownTestSuite() {
    for (auto* u : {owner_, admin_, member_, stranger_}) delete u;
    delete gw_;
    delete db_;
  }
  static int port() { return gw_->port(); }
  static JsonResponse Invite(const TeamUser& who, const std::string& email, const std::string& role,
                             const std::string& org = "team") {
    return CallApi(port(), "POST", "/api/v1/orgs/" + org + "/invitations", who.token,
                   {{"email", email}, {"role", role}});
  }
  static HttpResponse Page(const std::string& cookie, const std::string& token) {
    return Fetch(port(), "GET", "/web/invitations/" + token, {{"Cookie", cookie}});
  }
  // The accept form, posted with the session's CSRF token (the home page shows it too, so a
  // gone invitation's POST is judged by the invitation, not by a missing token).
  static HttpResponse Accept(const std::string& cookie, const std::string& token) {
    auto page = Fetch(port(), "GET", "/", {{"Cookie", cookie}});
    return Fetch(port(), "POST", "/web/invitations/" + token,
                 {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}},
                 FormEncode({{"csrf", HiddenField(page.body, "csrf")}}));
  }
  static std::string RoleOf(const std::string& email) {
    return db_->Scalar(
        "SELECT coalesce(max(m.role), 'none') FROM org_members m JOIN users u ON "
        "u.id = m.user_id WHERE m.org_id = '" +
        org_ + "' AND u.email_normalized = '" + email + "'");
  }
  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static TeamUser *owner_, *admin_, *member_, *stranger_;
  static std::string org_;
};

TestDatabase* InvitationsE2E::db_ = nullptr;
GatewayProcess* InvitationsE2E::gw_ = nullptr;
TeamUser* InvitationsE2E::owner_ = nullptr;
TeamUser* InvitationsE2E::admin_ = nullptr;
TeamUser* InvitationsE2E::member_ = nullptr;
TeamUser* InvitationsE2E::stranger_ = nullptr;
std::string InvitationsE2E::org_;

TEST_F(InvitationsE2E, TheSetUpJoinedTheAdminAndTheMemberWithTheirInvitedRoles) {
  EXPECT_EQ(RoleOf("admin@example.com"), "admin");
  EXPECT_EQ(RoleOf("member@example.com"), "member");
}

TEST_F(InvitationsE2E, CreationAnswersTheTokenOnceWithOnlyItsHashStored) {
  auto r = Invite(*owner_, "New.Person@Example.com", "member");
  ASSERT_EQ(r.status, 201) << r.raw.body;
  std::string url = r.body["invite_url"];
  EXPECT_EQ(url.rfind("http://127.0.0.1:4999/auth/web/invitations/", 0), 0u) << url;
  std::string token = InvitationToken(url);
  EXPECT_EQ(token.size(), 43u) << "256 random bits in base64url";
  EXPECT_EQ(r.body["email"], "New.Person@Example.com");
  EXPECT_EQ(r.body["role"], "member");
  EXPECT_TRUE(r.body["id"].is_string());
  EXPECT_TRUE(r.body["expires_at"].is_string());
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM org_invitations WHERE token_hash = "
                        "sha256(convert_to('" +
                        token +
                        "', 'UTF8')) AND expires_at BETWEEN "
                        "now() + interval '7 days' - interval '1 minute' AND now() + interval "
                        "'7 days'"),
            "1")
      << "the SHA-256 of the token is kept, with 7 days to live";
  auto list = CallApi(port(), "GET", "/api/v1/orgs/team/invitations", owner_->token);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.raw.body.find(token), std::string::npos) << "never shown again";
  EXPECT_EQ(gw_->Logs().find(token), std::string::npos) << "nor logged";
}

TEST_F(InvitationsE2E, EachRoleMayInviteAndRevokeOnlyWhatTheContractAllows) {
  EXPECT_EQ(Invite(*owner_, "o1@example.com", "owner").status, 201);
  EXPECT_EQ(Invite(*admin_, "a1@example.com", "admin").status, 201);
  EXPECT_EQ(Invite(*admin_, "m1@example.com", "member").status, 201);
  auto admin_owner = Invite(*admin_, "o2@example.com", "owner");
  EXPECT_EQ(admin_owner.status, 403);
  EXPECT_EQ(admin_owner.body["error"], "forbidden");
  auto by_member = Invite(*member_, "m2@example.com", "member");
  EXPECT_EQ(by_member.status, 403);
  EXPECT_EQ(by_member.body["error"], "forbidden");
  EXPECT_EQ(Invite(*stranger_, "m3@example.com", "member").status, 404);
  EXPECT_EQ(Invite(*stranger_, "m3@example.com", "member", org_).status, 404) << "by id as by slug";
  EXPECT_EQ(Invite(*owner_, "member@example.com", "admin").status, 409) << "a member already";
  EXPECT_EQ(Invite(*owner_, "not an address", "member").status, 400);

  EXPECT_EQ(CallApi(port(), "GET", "/api/v1/orgs/team/invitations", member_->token).status, 200);
  EXPECT_EQ(CallApi(port(), "GET", "/api/v1/orgs/team/invitations", stranger_->token).status, 404);

  auto owner_inv = Invite(*owner_, "o3@example.com", "owner");
  auto member_inv = Invite(*owner_, "m4@example.com", "member");
  std::string base = "/api/v1/orgs/team/invitations/";
  std::string oid = owner_inv.body["id"], mid = member_inv.body["id"];
  EXPECT_EQ(CallApi(port(), "DELETE", base + mid, stranger_->token).status, 404);
  EXPECT_EQ(CallApi(port(), "DELETE", base + mid, member_->token).status, 403);
  EXPECT_EQ(CallApi(port(), "DELETE", base + oid, admin_->token).status, 403);
  EXPECT_EQ(CallApi(port(), "DELETE", base + mid, admin_->token).status, 204);
  EXPECT_EQ(CallApi(port(), "DELETE", base + mid, admin_->token).status, 404) << "once";
  EXPECT_EQ(CallApi(port(), "DELETE", base + oid, owner_->token).status, 204);

  auto list = CallApi(port(), "GET", "/api/v1/orgs/team/invitations", admin_->token);
  ASSERT_EQ(list.status, 200);
  for (const auto& i : list.body["data"]) {
    if (i["id"] == mid || i["id"] == oid) {
      EXPECT_EQ(i["status"], "revoked");
    }
  }
}

TEST_F(InvitationsE2E, OnlyTheInvitedAddressCanAcceptAndOnlyOnce) {
  auto r = Invite(*owner_, "stranger@example.com", "admin");
  ASSERT_EQ(r.status, 201);
  std::string token = InvitationToken(r.body["invite_url"]);

  std::string wrong = LoginSession(port(), "member@example.com", kFixturePassword);
  auto mismatch = Page(wrong, token);
  EXPECT_EQ(mismatch.status, 403);
  EXPECT_NE(mismatch.body.find("stranger@example.com"), std::string::npos);
  EXPECT_EQ(Accept(wrong, token).status, 403);
  EXPECT_EQ(RoleOf("member@example.com"), "member") << "unchanged";

  std::string right = LoginSession(port(), "Stranger@Example.com", kFixturePassword);
  auto page = Page(right, token);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Team"), std::string::npos);
  EXPECT_NE(page.body.find("admin"), std::string::npos);
  auto forged = Fetch(port(), "POST", "/web/invitations/" + token,
                      {{"Cookie", right}, {"Content-Type", "application/x-www-form-urlencoded"}},
                      FormEncode({{"csrf", "forged"}}));
  EXPECT_EQ(forged.status, 403) << "CSRF-protected";
  EXPECT_EQ(RoleOf("stranger@example.com"), "none");

  auto accepted = Accept(right, token);
  EXPECT_EQ(accepted.status, 303);
  EXPECT_EQ(accepted.Header("location"), "/dashboard");
  EXPECT_EQ(RoleOf("stranger@example.com"), "admin");
  EXPECT_EQ(
      db_->Scalar("SELECT count(*) FROM audit_events WHERE type = "
                  "'org.invitation_accepted' AND org_id = '" +
                  org_ + "' AND subject = 'invitation:" + r.body["id"].get<std::string>() + "'"),
      "1")
      << "an audit event in the organization's trail";
  EXPECT_EQ(Accept(right, token).status, 410) << "single use";
  db_->Scalar("DELETE FROM org_members WHERE org_id = '" + org_ +
              "' AND user_id = (SELECT id FROM users WHERE email_normalized = "
              "'stranger@example.com')");
}

TEST_F(InvitationsE2E, UsedExpiredAndRevokedInvitationsAllGiveTheSame410) {
  auto used = Invite(*owner_, "used@example.com", "member");
  auto expired = Invite(*owner_, "expired@example.com", "member");
  auto revoked = Invite(*owner_, "revoked@example.com", "member");
  std::string u = InvitationToken(used.body["invite_url"]);
  std::string e = InvitationToken(expired.body["invite_url"]);
  std::string v = InvitationToken(revoked.body["invite_url"]);
  db_->Scalar("UPDATE org_invitations SET accepted_at = now() WHERE id = '" +
              used.body["id"].get<std::string>() + "'");
  // Time is moved in the database (the gateway judges expiry by its clock against this).
  db_->Scalar("UPDATE org_invitations SET expires_at = now() - interval '1 second' WHERE id = '" +
              expired.body["id"].get<std::string>() + "'");
  ASSERT_EQ(CallApi(port(), "DELETE",
                    "/api/v1/orgs/team/invitations/" + revoked.body["id"].get<std::string>(),
                    owner_->token)
                .status,
            204);
  std::string cookie = LoginSession(port(), "owner@example.com", kFixturePassword);
  std::vector<HttpResponse> pages;
  for (const auto& token : {u, e, v, std::string(43, 'x')}) {
    pages.push_back(Fetch(port(), "GET", "/web/invitations/" + token));
    pages.push_back(Page(cookie, token));
    EXPECT_EQ(Accept(cookie, token).status, 410);
  }
  for (const auto& p : pages) {
    EXPECT_EQ(p.status, 410);
    EXPECT_EQ(p.body, pages[0].body) << "one page, which does not say which";
    EXPECT_EQ(p.Header("content-type"), pages[0].Header("content-type"));
  }
}

TEST_F(InvitationsE2E, ASignedOutVisitorIsSentToSignUpAndBackToTheInvitation) {
  auto r = Invite(*owner_, "visitor@example.com", "member");
  std::string token = InvitationToken(r.body["invite_url"]);
  auto page = Fetch(port(), "GET", "/web/invitations/" + token);
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(page.Header("location"),
            "/web/signup?invitation=" + token + "&return_to=%2Fweb%2Finvitations%2F" + token);
  GatewayProcess closed(db_->url(), {{"OAKGATE_SIGNUP", "off"}});
  auto to_login = Fetch(closed.port(), "GET", "/web/invitations/" + token);
  EXPECT_EQ(to_login.status, 303);
  EXPECT_EQ(to_login.Header("location"), "/web/login?return_to=%2Fweb%2Finvitations%2F" + token)
      << "where sign-up is off, to login";
}

}  // namespace
}  // namespace oakgate::test
