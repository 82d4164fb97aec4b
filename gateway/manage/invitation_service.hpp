#pragma once
// Invitations into an organization (CONTRACT §9): who may invite whom, the token (256 random
// bits, shown once in invite_url, only its SHA-256 kept), its 7 days, and acceptance in the
// browser. An organization the caller is not a member of is "not found", whatever exists;
// a role that may not do it is "forbidden".
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/crypto/random.hpp"
#include "gateway/manage/domain_error.hpp"
#include "gateway/manage/principal.hpp"
#include "gateway/store/invitation_store.hpp"
#include "gateway/store/org_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::manage {

// An address an account or an invitation may have: 3..254 bytes of UTF-8 with an '@' that is
// neither first nor last, and no spaces or control characters (RFC 5321 §4.5.3.1.3 limit).
bool IsValidEmail(std::string_view email);

struct InvitationInput {
  std::optional<std::string> email;
  std::optional<std::string> role;  // default "member"
};

struct CreatedInvitation {
  store::Invitation invitation;
  std::string invite_url;  // <issuer>/web/invitations/<token>: the only time the token is shown
};

class InvitationService {
 public:
  static constexpr int64_t kTtlSeconds = 7 * 24 * 3600;  // CONTRACT §9: 7 days
  static constexpr int64_t kListLimit = 200;

  InvitationService(store::InvitationStore& invitations, store::OrgStore& orgs,
                    const util::Clock& clock, crypto::Random& random, std::string issuer)
      : invitations_(invitations),
        orgs_(orgs),
        clock_(clock),
        random_(random),
        issuer_(std::move(issuer)) {}

  // Owners invite with any role, admins as member or admin, members not at all. A user with
  // that email who is a member already is a conflict.
  Outcome<CreatedInvitation> Create(const Principal& who, std::string_view org,
                                    const InvitationInput& input);
  // Every member sees the organization's invitations (newest first, kListLimit at most).
  Outcome<std::vector<store::Invitation>> List(const Principal& who, std::string_view org);
  // Owners revoke any pending invitation, admins those of members and admins.
  Outcome<Done> Revoke(const Principal& who, std::string_view org, std::string_view invitation_id);

  // The pending invitation of a token (the invitation pages, sign-up); not found when the
  // token is malformed or unknown, or the invitation was used, revoked or has expired: one
  // answer for all, so the page cannot tell which.
  Outcome<store::Invitation> Pending(std::string_view token);
  // The signed-in user (`who`, whose account has `email`) joins with the invitation's role.
  // Not found as for Pending; forbidden when the invitation is made out to another address.
  Outcome<store::AcceptOutcome> Accept(const Principal& who, std::string_view email,
                                       std::string_view token);

  // The service's clock, so a list's statuses are judged as acceptance judges them.
  int64_t Now() const { return clock_.NowSeconds(); }

 private:
  // The caller's membership of `org`, or not found.
  Outcome<store::Membership> Member(const Principal& who, std::string_view org);

  store::InvitationStore& invitations_;
  store::OrgStore& orgs_;
  const util::Clock& clock_;
  crypto::Random& random_;
  std::string issuer_;
};

}  // namespace oakgate::manage
