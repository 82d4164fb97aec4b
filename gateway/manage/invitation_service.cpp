#include "gateway/manage/invitation_service.hpp"

#include <nlohmann/json.hpp>

#include "gateway/crypto/base64.hpp"
#include "gateway/crypto/sha256.hpp"
#include "gateway/manage/fields.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::manage {
namespace {

constexpr size_t kTokenBytes = 32;  // 256 bits (CONTRACT §9)
constexpr size_t kTokenChars = 43;  // their base64url text, unpadded

std::string HashToken(std::string_view token) { return crypto::ToBytes(crypto::Sha256(token)); }

bool LooksLikeToken(std::string_view token) {
  if (token.size() != kTokenChars) return false;
  for (char c : token) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool IsPending(const store::Invitation& i, int64_t now) {
  return !i.accepted_at && !i.revoked_at && i.expires_at > now;
}

// What `inviter` may hand out: owners any role, admins member and admin (CONTRACT §9).
bool MayInviteAs(store::Role inviter, store::Role invited) {
  if (inviter == store::Role::kOwner) return true;
  return inviter == store::Role::kAdmin && invited != store::Role::kOwner;
}

}  // namespace

bool IsValidEmail(std::string_view email) {
  if (email.size() < 3 || email.size() > 254 || !util::IsValidUtf8(email)) return false;
  size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size()) return false;
  for (unsigned char c : email) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

Outcome<store::Membership> InvitationService::Member(const Principal& who, std::string_view org) {
  auto membership = orgs_.FindMembership(who.user_id, org);
  if (!membership) return NotFound("no such organization");
  return *membership;
}

Outcome<CreatedInvitation> InvitationService::Create(const Principal& who, std::string_view org,
                                                     const InvitationInput& input) {
  auto member = Member(who, org);
  if (!member) return util::Fail(member.error());
  if (member.value().role == store::Role::kMember) {
    return Forbidden("members cannot invite");
  }
  std::string email(util::Trim(input.email.value_or("")));
  if (!IsValidEmail(email)) return Invalid("email", "must be an email address");
  auto role = store::ParseRole(input.role.value_or("member"));
  if (!role) return Invalid("role", "must be one of owner, admin, member");
  if (!MayInviteAs(member.value().role, *role)) {
    return Forbidden("admins invite members and admins only");
  }

  std::string token = crypto::Base64UrlEncode(random_.Bytes(kTokenBytes));
  store::NewInvitation n;
  n.org_id = member.value().org.id;
  n.email = email;
  n.email_normalized = util::ToLower(email);
  n.role = *role;
  n.token_hash = HashToken(token);
  n.invited_by = who.user_id;
  n.expires_at = clock_.NowSeconds() + kTtlSeconds;
  // Never the token, nor the address, in the audit log.
  store::AuditEvent audit = who.Audit("org.invitation_created", "",
                                      nlohmann::json{{"role", store::RoleName(*role)}}.dump());
  audit.org_id = n.org_id;
  auto created = invitations_.Create(n, audit);
  if (!created) return Conflict("a user with that email is a member already", "email");
  return CreatedInvitation{*created, issuer_ + "/web/invitations/" + token};
}

Outcome<std::vector<store::Invitation>> InvitationService::List(const Principal& who,
                                                                std::string_view org) {
  auto member = Member(who, org);
  if (!member) return util::Fail(member.error());
  return invitations_.List(member.value().org.id, kListLimit);
}

Outcome<Done> InvitationService::Revoke(const Principal& who, std::string_view org,
                                        std::string_view invitation_id) {
  auto member = Member(who, org);
  if (!member) return util::Fail(member.error());
  if (member.value().role == store::Role::kMember) {
    return Forbidden("members cannot revoke invitations");
  }
  if (!IsUuid(invitation_id)) return NotFound("no such invitation");
  const std::string& org_id = member.value().org.id;
  auto invitation = invitations_.Find(org_id, invitation_id);
  if (!invitation || !IsPending(*invitation, clock_.NowSeconds())) {
    return NotFound("no such pending invitation");
  }
  if (!MayInviteAs(member.value().role, invitation->role)) {
    return Forbidden("admins revoke invitations of members and admins only");
  }
  auto audit = who.Audit("org.invitation_revoked", "invitation:" + invitation->id);
  audit.org_id = org_id;
  if (!invitations_.Revoke(org_id, invitation_id, audit)) {
    return NotFound("no such pending invitation");
  }
  return Done{};
}

Outcome<store::Invitation> InvitationService::Pending(std::string_view token) {
  if (!LooksLikeToken(token)) return NotFound("no such invitation");
  auto invitation = invitations_.FindByToken(HashToken(token));
  if (!invitation || !IsPending(*invitation, clock_.NowSeconds())) {
    return NotFound("no such invitation");
  }
  return *invitation;
}

Outcome<store::AcceptOutcome> InvitationService::Accept(const Principal& who,
                                                        std::string_view email,
                                                        std::string_view token) {
  if (!LooksLikeToken(token)) return NotFound("no such invitation");
  auto outcome =
      invitations_.Accept(HashToken(token), who.user_id, util::ToLower(util::Trim(email)),
                          clock_.NowSeconds(), who.Audit("org.invitation_accepted", ""));
  switch (outcome) {
    case store::AcceptOutcome::kGone:
      return NotFound("no such invitation");
    case store::AcceptOutcome::kWrongEmail:
      return Forbidden("this invitation is for another email address");
    case store::AcceptOutcome::kAccepted:
    case store::AcceptOutcome::kAlreadyMember:
      break;
  }
  return outcome;
}

}  // namespace oakgate::manage
