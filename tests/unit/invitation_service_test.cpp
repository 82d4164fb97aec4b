// Invitations (CONTRACT §9): who may invite whom, the token, its 7 days, acceptance. The
// stores are in-memory fakes; the clock and randomness are injected.
#include "gateway/manage/invitation_service.hpp"

#include <gtest/gtest.h>

#include <map>

#include "gateway/crypto/base64.hpp"
#include "gateway/crypto/sha256.hpp"
#include "tests/unit/unused_token_store.hpp"

namespace oakgate::manage {
namespace {

using ::oakgate::testing::Unused;
using store::Role;

constexpr const char* kOrg = "00000000-0000-4000-8000-00000000000a";

class FakeOrgs : public store::OrgStore {
 public:
  std::map<std::string, Role> roles;  // user id -> role in kOrg (slug "team")
  std::optional<store::Membership> FindMembership(std::string_view user_id,
                                                  std::string_view org) override {
    if (org != kOrg && org != "team") return std::nullopt;
    auto it = roles.find(std::string(user_id));
    if (it == roles.end()) return std::nullopt;
    store::Membership m;
    m.org.id = kOrg;
    m.org.slug = "team";
    m.org.name = "Team";
    m.role = it->second;
    return m;
  }
  std::optional<store::Membership> Personal(std::string_view) override { throw Unused(); }
  std::vector<store::Membership> ListForUser(std::string_view) override { throw Unused(); }
  std::optional<store::Organization> Find(std::string_view) override { throw Unused(); }
  std::vector<store::Organization> List() override { throw Unused(); }
  std::optional<store::Organization> Create(std::string_view, std::string_view, std::string_view,
                                            const store::AuditEvent&) override {
    throw Unused();
  }
  UpdateOutcome Update(std::string_view, std::string_view, std::string_view,
                       const store::AuditEvent&) override {
    throw Unused();
  }
  bool Delete(std::string_view, const store::AuditEvent&) override { throw Unused(); }
  bool SetLimits(std::string_view, const store::OrgLimits&, const store::AuditEvent&) override {
    throw Unused();
  }
  std::vector<store::Member> ListMembers(std::string_view) override { throw Unused(); }
  bool AddMember(std::string_view, std::string_view, Role, const store::AuditEvent&) override {
    throw Unused();
  }
  store::MemberChange SetRole(std::string_view, std::string_view, Role,
                              const store::AuditEvent&) override {
    throw Unused();
  }
  store::MemberChange RemoveMember(std::string_view, std::string_view,
                                   const store::AuditEvent&) override {
    throw Unused();
  }
};

// Judges pending as the PostgreSQL store does: not accepted, not revoked, expires_at > now.
class FakeInvitations : public store::InvitationStore {
 public:
  struct Row {
    store::Invitation invitation;
    std::string token_hash;
    std::string email_normalized;
  };
  std::vector<Row> rows;
  std::vector<store::AuditEvent> audit;
  std::map<std::string, Role> members;  // user id -> role, added by Accept

  std::optional<store::Invitation> Create(const store::NewInvitation& n,
                                          const store::AuditEvent& e) override {
    store::Invitation i;
    i.id = "00000000-0000-4000-8000-0000000001" + std::to_string(10 + rows.size());
    i.org_id = n.org_id;
    i.org_name = "Team";
    i.email = n.email;
    i.role = n.role;
    i.invited_by = n.invited_by;
    i.expires_at = n.expires_at;
    rows.push_back({i, n.token_hash, n.email_normalized});
    audit.push_back(e);
    return i;
  }
  std::vector<store::Invitation> List(std::string_view, int64_t) override {
    std::vector<store::Invitation> out;
    for (const auto& r : rows) out.push_back(r.invitation);
    return out;
  }
  std::optional<store::Invitation> Find(std::string_view, std::string_view id) override {
    for (const auto& r : rows) {
      if (r.invitation.id == id) return r.invitation;
    }
    return std::nullopt;
  }
  bool Revoke(std::string_view, std::string_view id, const store::AuditEvent& e) override {
    for (auto& r : rows) {
      if (r.invitation.id == id && !r.invitation.revoked_at && !r.invitation.accepted_at) {
        r.invitation.revoked_at = 1;
        audit.push_back(e);
        return true;
      }
    }
    return false;
  }
  std::optional<store::Invitation> FindByToken(std::string_view hash) override {
    for (const auto& r : rows) {
      if (r.token_hash == hash) return r.invitation;
    }
    return std::nullopt;
  }
  store::AcceptOutcome Accept(std::string_view hash, std::string_view user_id,
                              std::string_view email, int64_t now,
                              const store::AuditEvent& e) override {
    for (auto& r : rows) {
      if (r.token_hash != hash) continue;
      store::Invitation& i = r.invitation;
      if (i.accepted_at || i.revoked_at || i.expires_at <= now) return store::AcceptOutcome::kGone;
      if (r.email_normalized != email) return store::AcceptOutcome::kWrongEmail;
      i.accepted_at = now;
      bool joined = members.emplace(std::string(user_id), i.role).second;
      audit.push_back(e);
      return joined ? store::AcceptOutcome::kAccepted : store::AcceptOutcome::kAlreadyMember;
    }
    return store::AcceptOutcome::kGone;
  }
};

class FixedClock : public util::Clock {
 public:
  int64_t now = 1'800'000'000;
  int64_t NowSeconds() const override { return now; }
};

class CountingRandom : public crypto::Random {
 public:
  unsigned char next = 1;
  std::string Bytes(size_t n) override { return std::string(n, static_cast<char>(next++)); }
};

class InvitationServiceTest : public ::testing::Test {
 protected:
  InvitationServiceTest() {
    orgs.roles = {{"owner", Role::kOwner}, {"admin", Role::kAdmin}, {"member", Role::kMember}};
  }
  static Principal As(const std::string& user) {
    Principal p;
    p.user_id = user;
    return p;
  }
  static InvitationInput Input(const char* email, const char* role) {
    InvitationInput in;
    in.email = email;
    if (role) in.role = role;
    return in;
  }
  // The token of an invite_url.
  static std::string TokenOf(const CreatedInvitation& c) {
    return c.invite_url.substr(c.invite_url.rfind('/') + 1);
  }
  FakeOrgs orgs;
  FakeInvitations invitations;
  FixedClock clock;
  CountingRandom random;
  InvitationService service{invitations, orgs, clock, random, "https://auth.example"};
};

TEST_F(InvitationServiceTest, TheTokenIs256RandomBitsShownOnceWithOnlyItsHashStored) {
  auto created = service.Create(As("owner"), "team", Input("New@Example.com", "admin"));
  ASSERT_TRUE(created) << created.error().message;
  std::string token = crypto::Base64UrlEncode(std::string(32, '\x01'));
  EXPECT_EQ(created.value().invite_url, "https://auth.example/web/invitations/" + token);
  ASSERT_EQ(invitations.rows.size(), 1u);
  EXPECT_EQ(invitations.rows[0].token_hash, crypto::ToBytes(crypto::Sha256(token)));
  EXPECT_EQ(invitations.rows[0].email_normalized, "new@example.com");
  EXPECT_EQ(invitations.audit[0].details_json.find(token), std::string::npos);
  EXPECT_EQ(invitations.audit[0].details_json.find("example.com"), std::string::npos)
      << "the address stays out of the audit log";
  auto second = service.Create(As("owner"), "team", Input("other@example.com", nullptr));
  ASSERT_TRUE(second);
  EXPECT_NE(TokenOf(second.value()), token) << "each invitation draws its own token";
  EXPECT_EQ(second.value().invitation.role, Role::kMember) << "the default role";
}

TEST_F(InvitationServiceTest, OwnersInviteAnyRoleAdminsMembersAndAdminsMembersNone) {
  EXPECT_TRUE(service.Create(As("owner"), "team", Input("a@example.com", "owner")));
  EXPECT_TRUE(service.Create(As("admin"), "team", Input("b@example.com", "admin")));
  EXPECT_TRUE(service.Create(As("admin"), "team", Input("c@example.com", "member")));
  auto admin_owner = service.Create(As("admin"), "team", Input("d@example.com", "owner"));
  ASSERT_FALSE(admin_owner);
  EXPECT_EQ(admin_owner.error().kind, ErrorKind::kForbidden);
  auto member = service.Create(As("member"), "team", Input("e@example.com", "member"));
  ASSERT_FALSE(member);
  EXPECT_EQ(member.error().kind, ErrorKind::kForbidden);
  auto stranger = service.Create(As("stranger"), "team", Input("f@example.com", "member"));
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().kind, ErrorKind::kNotFound)
      << "an organization the caller is not in is not found, whatever exists";
  auto listed = service.List(As("stranger"), kOrg);
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(service.List(As("member"), kOrg)) << "members read everything";
}

TEST_F(InvitationServiceTest, ABadEmailOrRoleIsAnErrorNamingTheField) {
  auto email = service.Create(As("owner"), "team", Input("not an email", "member"));
  ASSERT_FALSE(email);
  EXPECT_EQ(email.error().field, "email");
  auto role = service.Create(As("owner"), "team", Input("a@example.com", "boss"));
  ASSERT_FALSE(role);
  EXPECT_EQ(role.error().field, "role");
}

TEST_F(InvitationServiceTest, AnInvitationExpiresSevenDaysAfterItWasMadeByTheInjectedClock) {
  auto created = service.Create(As("owner"), "team", Input("late@example.com", "member"));
  ASSERT_TRUE(created);
  std::string token = TokenOf(created.value());
  EXPECT_EQ(created.value().invitation.expires_at, clock.now + 7 * 24 * 3600);
  clock.now += 7 * 24 * 3600 - 1;
  EXPECT_TRUE(service.Pending(token)) << "still good in its last second";
  clock.now += 1;
  EXPECT_FALSE(service.Pending(token));
  auto accepted = service.Accept(As("late-user"), "late@example.com", token);
  ASSERT_FALSE(accepted);
  EXPECT_EQ(accepted.error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(invitations.members.empty());
}

TEST_F(InvitationServiceTest, AcceptanceNeedsTheInvitedAddressAndWorksOnce) {
  auto created = service.Create(As("owner"), "team", Input("Joiner@Example.com", "admin"));
  ASSERT_TRUE(created);
  std::string token = TokenOf(created.value());
  auto wrong = service.Accept(As("someone"), "someone@example.com", token);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, ErrorKind::kForbidden);
  auto ok = service.Accept(As("joiner"), " joiner@EXAMPLE.com", token);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok.value(), store::AcceptOutcome::kAccepted);
  EXPECT_EQ(invitations.members["joiner"], Role::kAdmin) << "with the invited role";
  auto again = service.Accept(As("joiner"), "joiner@example.com", token);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kNotFound) << "used: the same answer as unknown";
  EXPECT_FALSE(service.Pending(token));
  EXPECT_FALSE(service.Pending("not-a-token"));
  EXPECT_FALSE(service.Pending(std::string(43, 'A'))) << "well formed but unknown";
}

TEST_F(InvitationServiceTest, AdminsCannotRevokeAnOwnersInvitationAndARevokedOneIsGone) {
  auto for_owner = service.Create(As("owner"), "team", Input("o@example.com", "owner"));
  auto for_member = service.Create(As("owner"), "team", Input("m@example.com", "member"));
  ASSERT_TRUE(for_owner && for_member);
  auto refused = service.Revoke(As("admin"), "team", for_owner.value().invitation.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kForbidden);
  auto by_member = service.Revoke(As("member"), "team", for_member.value().invitation.id);
  ASSERT_FALSE(by_member);
  EXPECT_EQ(by_member.error().kind, ErrorKind::kForbidden);
  EXPECT_TRUE(service.Revoke(As("admin"), "team", for_member.value().invitation.id));
  EXPECT_FALSE(service.Pending(TokenOf(for_member.value())));
  auto twice = service.Revoke(As("owner"), "team", for_member.value().invitation.id);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace oakgate::manage
