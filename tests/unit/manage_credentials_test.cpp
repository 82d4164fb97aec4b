// The services behind the dashboard's credentials and administrators' pages
// (gateway/manage/credential_service, admin_service) against in-memory stores: each user
// reaches only their own sessions and grants, an access token reaches none, a reveal slot
// opens once, and only administrators list or disable users, never their own account.
#include <gtest/gtest.h>

#include "gateway/manage/admin_service.hpp"
#include "gateway/manage/credential_service.hpp"
#include "tests/unit/manage_fakes.hpp"

namespace oakgate::manage {
namespace {

constexpr const char* kAlice = "00000000-0000-4000-8000-00000000000a";
constexpr const char* kBob = "00000000-0000-4000-8000-00000000000b";
constexpr const char* kNobody = "00000000-0000-4000-8000-0000000000ff";

store::SessionInfo SessionNo(int64_t id) {
  store::SessionInfo s;
  s.id = id;
  return s;
}

store::Grant GrantNo(int64_t family_id) {
  store::Grant g;
  g.family_id = family_id;
  return g;
}

Principal AccessToken(std::string user) {
  Principal p;
  p.user_id = std::move(user);
  p.method = AuthMethod::kAccessToken;
  p.client_id = "cli-app";
  p.scopes = {"keys", "agents"};
  return p;
}

class ManageCredentials : public ::testing::Test {
 protected:
  testing::FakeSessionStore sessions;
  testing::FakeGrantStore grants;
  testing::FakeUserStore users;
  CredentialService credentials{sessions, grants, users};
  Principal alice = SessionPrincipal(kAlice, "192.0.2.7", "req-1");
  Principal bob = SessionPrincipal(kBob, "192.0.2.8", "req-2");

  void SetUp() override {
    sessions.sessions = {{kAlice, SessionNo(1)}, {kBob, SessionNo(2)}, {kAlice, SessionNo(3)}};
    grants.grants = {{kAlice, GrantNo(10)}, {kBob, GrantNo(20)}};
  }
};

TEST_F(ManageCredentials, AUserListsOnlyTheirOwnSessionsAndGrants) {
  auto listed = credentials.List(alice);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed.value().sessions.size(), 2u);
  EXPECT_EQ(listed.value().sessions[0].id, 1);
  EXPECT_EQ(listed.value().sessions[1].id, 3);
  ASSERT_EQ(listed.value().grants.size(), 1u);
  EXPECT_EQ(listed.value().grants[0].family_id, 10);
}

TEST_F(ManageCredentials, EndingASessionIsAuditedAndAnotherUsersIsNotFound) {
  auto theirs = credentials.EndSession(alice, 2);
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(credentials.EndSession(alice, 0));
  EXPECT_TRUE(sessions.audit.empty());
  EXPECT_EQ(sessions.sessions.size(), 3u);

  ASSERT_TRUE(credentials.EndSession(alice, 3));
  ASSERT_EQ(sessions.audit.size(), 1u);
  EXPECT_EQ(sessions.audit[0].type, "session.ended");
  EXPECT_EQ(sessions.audit[0].subject, "3");
  EXPECT_EQ(sessions.audit[0].user_id, kAlice);
  EXPECT_EQ(sessions.audit[0].actor, std::string("user:") + kAlice + " dashboard");
  EXPECT_EQ(sessions.audit[0].client_address, "192.0.2.7");
  // Ended already: the same answer as someone else's.
  EXPECT_EQ(credentials.EndSession(alice, 3).error().kind, ErrorKind::kNotFound);
}

TEST_F(ManageCredentials, RevokingAGrantIsAuditedAndAnotherUsersIsNotFound) {
  EXPECT_EQ(credentials.RevokeGrant(alice, 20).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(credentials.RevokeGrant(bob, -1).error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(grants.audit.empty());

  ASSERT_TRUE(credentials.RevokeGrant(bob, 20));
  ASSERT_EQ(grants.audit.size(), 1u);
  EXPECT_EQ(grants.audit[0].type, "grant.revoked");
  EXPECT_EQ(grants.audit[0].subject, "20");
  EXPECT_EQ(grants.audit[0].user_id, kBob);
  EXPECT_EQ(grants.grants.size(), 1u);
}

TEST_F(ManageCredentials, SigningOutEverywhereIsThePrincipalsOwnAndAudited) {
  ASSERT_TRUE(credentials.SignOutEverywhere(bob));
  EXPECT_EQ(users.signed_out, std::vector<std::string>{kBob});
  ASSERT_EQ(users.audit.size(), 1u);
  EXPECT_EQ(users.audit[0].type, "user.signed_out_everywhere");
  EXPECT_EQ(users.audit[0].user_id, kBob);
}

TEST_F(ManageCredentials, AnAccessTokenOfAnyScopeReachesNoSessionOrGrant) {
  Principal token = AccessToken(kAlice);
  EXPECT_EQ(credentials.List(token).error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(credentials.EndSession(token, 1).error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(credentials.RevokeGrant(token, 10).error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(credentials.SignOutEverywhere(token).error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(credentials.TakeKeyReveal(token, 1, "k").error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(sessions.sessions.size(), 3u);
  EXPECT_EQ(grants.grants.size(), 2u);
  EXPECT_TRUE(users.signed_out.empty());
}

TEST_F(ManageCredentials, AKeysRevealSlotOpensOnceAndOnlyForItsSession) {
  sessions.PutReveal(1, "key-1", "sealed");
  auto other_session = credentials.TakeKeyReveal(alice, 3, "key-1");
  ASSERT_TRUE(other_session);
  EXPECT_FALSE(other_session.value());
  auto first = credentials.TakeKeyReveal(alice, 1, "key-1");
  ASSERT_TRUE(first);
  EXPECT_EQ(first.value(), std::optional<std::string>("sealed"));
  auto second = credentials.TakeKeyReveal(alice, 1, "key-1");
  ASSERT_TRUE(second);
  EXPECT_FALSE(second.value());
}

class ManageAdmin : public ::testing::Test {
 protected:
  testing::FakeUserStore users;
  testing::FakeClientStore clients;
  AdminService admin{users, clients};
  Principal root = SessionPrincipal(kAlice, "192.0.2.1", "req-9");
  Principal plain = SessionPrincipal(kBob, "192.0.2.2", "req-8");

  void SetUp() override {
    root.is_admin = true;
    store::UserSummary a;
    a.id = kAlice;
    a.is_admin = true;
    store::UserSummary b;
    b.id = kBob;
    users.users = {a, b};
    store::Client c;
    c.id = "cli-app";
    clients.clients = {c};
  }
};

TEST_F(ManageAdmin, OnlyAdministratorsListUsersAndClients) {
  EXPECT_EQ(admin.Users(plain).error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(admin.Clients(plain).error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(admin.DisableUser(plain, kAlice).error().kind, ErrorKind::kForbidden);
  EXPECT_FALSE(users.users[0].disabled);
  ASSERT_TRUE(admin.Users(root));
  EXPECT_EQ(admin.Users(root).value().size(), 2u);
  ASSERT_TRUE(admin.Clients(root));
  EXPECT_EQ(admin.Clients(root).value()[0].id, "cli-app");
}

TEST_F(ManageAdmin, DisablingAUserGoesInTheirTrailWithTheAdministratorAsActor) {
  ASSERT_TRUE(admin.DisableUser(root, kBob));
  EXPECT_TRUE(users.users[1].disabled);
  ASSERT_EQ(users.audit.size(), 1u);
  EXPECT_EQ(users.audit[0].type, "user.disabled");
  EXPECT_EQ(users.audit[0].subject, kBob);
  EXPECT_EQ(users.audit[0].user_id, kBob);
  EXPECT_EQ(users.audit[0].actor, std::string("user:") + kAlice + " dashboard");
}

TEST_F(ManageAdmin, AnAdministratorCannotDisableThemselvesOrAnUnknownUser) {
  auto self = admin.DisableUser(root, kAlice);
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(self.error().message, "You cannot disable your own account from the dashboard.");
  EXPECT_EQ(admin.DisableUser(root, kNobody).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(admin.DisableUser(root, "not-a-uuid").error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(users.users[0].disabled);
  EXPECT_TRUE(users.audit.empty());
}

}  // namespace
}  // namespace oakgate::manage
