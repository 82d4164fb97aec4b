#pragma once
// Invitations into an organization (CONTRACT §9). Only the SHA-256 of an invitation's token
// is stored; the token itself is shown once, in the invite_url of the answer that made it.
// An invitation is used at most once: acceptance takes its row lock, checks it is still
// pending, adds the membership and marks it used in one transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"
#include "gateway/store/org_store.hpp"

namespace oakgate::store {

struct Invitation {
  std::string id;
  std::string org_id;
  std::string org_name;
  std::string email;
  Role role = Role::kMember;
  std::string invited_by;  // the user who invited, "" once that user is gone
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> accepted_at;
  std::optional<int64_t> revoked_at;
};

struct NewInvitation {
  std::string org_id;
  std::string email;
  std::string email_normalized;
  Role role = Role::kMember;
  std::string token_hash;  // SHA-256 of the token, 32 bytes
  std::string invited_by;
  int64_t expires_at = 0;  // unix seconds
};

enum class AcceptOutcome {
  kAccepted,
  kAlreadyMember,  // the invitation is used up; the membership the user had stays as it was
  kWrongEmail,     // pending, but for another address: nothing changes
  kGone,           // no such token, or used, revoked or expired: one answer for all
};

class InvitationStore {
 public:
  virtual ~InvitationStore() = default;
  // nullopt when a user with that email is a member of the organization already.
  virtual std::optional<Invitation> Create(const NewInvitation& invitation,
                                           const AuditEvent& audit) = 0;
  // The organization's invitations, newest first, at most `limit`.
  virtual std::vector<Invitation> List(std::string_view org_id, int64_t limit) = 0;
  virtual std::optional<Invitation> Find(std::string_view org_id,
                                         std::string_view invitation_id) = 0;
  // Marks a pending invitation of that organization revoked; false when there is none.
  virtual bool Revoke(std::string_view org_id, std::string_view invitation_id,
                      const AuditEvent& audit) = 0;
  // The invitation holding this token hash, whatever its state (the caller judges it).
  virtual std::optional<Invitation> FindByToken(std::string_view token_hash) = 0;
  // Under the invitation's row lock: when it is pending at `now` (unix seconds) and made out
  // to `email_normalized`, adds `user_id` to its organization with its role (unless a member
  // already), marks it accepted by the user and writes `audit`, all in one transaction.
  virtual AcceptOutcome Accept(std::string_view token_hash, std::string_view user_id,
                               std::string_view email_normalized, int64_t now,
                               const AuditEvent& audit) = 0;
};

}  // namespace oakgate::store
