#pragma once
// Organizations and their members (CONTRACT §9). Every user has a personal organization,
// made with the user by the database (sql/0012_organizations.sql); shared ones are made
// here. An organization always keeps at least one owner: the changes that could take the
// last one away are refused under a lock of the organization's row.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"

namespace oakgate::store {

enum class Role { kOwner, kAdmin, kMember };

// Inline: the services and handlers use them without linking the PostgreSQL stores.
inline std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOwner:
      return "owner";
    case Role::kAdmin:
      return "admin";
    case Role::kMember:
      break;
  }
  return "member";
}

inline std::optional<Role> ParseRole(std::string_view name) {
  if (name == "owner") return Role::kOwner;
  if (name == "admin") return Role::kAdmin;
  if (name == "member") return Role::kMember;
  return std::nullopt;
}

struct Organization {
  std::string id;
  std::string name;
  std::string slug;
  bool personal = false;
  // The operator's limits; absent is unlimited.
  std::optional<int64_t> max_agents;
  std::optional<int64_t> monthly_decisions;
  int64_t created_at = 0;
};

// A user's place in one organization.
struct Membership {
  Organization org;
  Role role = Role::kMember;
};

struct Member {
  std::string user_id;
  std::string email;
  Role role = Role::kMember;
  int64_t joined_at = 0;
};

enum class MemberChange { kOk, kNotFound, kLastOwner };

struct OrgLimits {
  std::optional<int64_t> max_agents;
  std::optional<int64_t> monthly_decisions;
};

class OrgStore {
 public:
  virtual ~OrgStore() = default;
  // The user's membership of the organization whose id or slug is `org`; nullopt when there
  // is no such organization or the user is not a member (the same, so ids cannot be probed).
  virtual std::optional<Membership> FindMembership(std::string_view user_id,
                                                   std::string_view org) = 0;
  virtual std::optional<Membership> Personal(std::string_view user_id) = 0;
  // The user's organizations, personal first, then by name.
  virtual std::vector<Membership> ListForUser(std::string_view user_id) = 0;
  // The organization of that id or slug, for the operator's command line.
  virtual std::optional<Organization> Find(std::string_view org) = 0;
  virtual std::vector<Organization> List() = 0;
  // A shared organization with `owner_user_id` as its owner; nullopt when the slug is taken.
  virtual std::optional<Organization> Create(std::string_view name, std::string_view slug,
                                             std::string_view owner_user_id,
                                             const AuditEvent& audit) = 0;
  // Writes name and slug; kConflict when the slug is taken.
  enum class UpdateOutcome { kOk, kNotFound, kSlugTaken };
  virtual UpdateOutcome Update(std::string_view org_id, std::string_view name,
                               std::string_view slug, const AuditEvent& audit) = 0;
  virtual bool Delete(std::string_view org_id, const AuditEvent& audit) = 0;
  virtual bool SetLimits(std::string_view org_id, const OrgLimits& limits,
                         const AuditEvent& audit) = 0;

  virtual std::vector<Member> ListMembers(std::string_view org_id) = 0;
  // False when the user is a member already.
  virtual bool AddMember(std::string_view org_id, std::string_view user_id, Role role,
                         const AuditEvent& audit) = 0;
  virtual MemberChange SetRole(std::string_view org_id, std::string_view user_id, Role role,
                               const AuditEvent& audit) = 0;
  virtual MemberChange RemoveMember(std::string_view org_id, std::string_view user_id,
                                    const AuditEvent& audit) = 0;
};

}  // namespace oakgate::store
