#pragma once
// Organizations, members and the organization a request acts in (CONTRACT §9). Everything
// of the validation engine belongs to an organization; a caller acts in one, as its role
// there allows. An organization the caller is not a member of is "not found" whatever
// exists, so ids and slugs cannot be probed; what the role does not allow is "forbidden".
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/manage/domain_error.hpp"
#include "gateway/manage/principal.hpp"
#include "gateway/store/org_store.hpp"

namespace oakgate::manage {

// The header naming the organization a management request acts in (id or slug).
inline constexpr std::string_view kOrganizationHeader = "OakGate-Organization";

struct OrgInput {
  std::optional<std::string> name;
  std::optional<std::string> slug;
};

bool IsValidSlug(std::string_view slug);

class OrgService {
 public:
  explicit OrgService(store::OrgStore& orgs) : orgs_(orgs) {}
  // Sets who.org_id and who.role: the organization named by `org` (id or slug), or the
  // caller's personal one when `org` is empty. Not found when the caller is not a member.
  Outcome<store::Membership> Enter(Principal& who, std::string_view org);
  // The caller's organizations with its role in each.
  Outcome<std::vector<store::Membership>> List(const Principal& who);
  // A shared organization; the caller becomes its owner.
  Outcome<store::Organization> Create(const Principal& who, const OrgInput& input);
  Outcome<store::Membership> Get(const Principal& who, std::string_view org);
  // Owners only: name and slug.
  Outcome<store::Organization> Update(const Principal& who, std::string_view org,
                                      const OrgInput& input);
  // Owners only; a personal organization cannot be deleted.
  Outcome<Done> Delete(const Principal& who, std::string_view org);
  Outcome<std::vector<store::Member>> Members(const Principal& who, std::string_view org);
  // Owners change any role; admins make members admins or admins members, never touching an
  // owner. The last owner cannot be demoted (conflict).
  Outcome<Done> SetRole(const Principal& who, std::string_view org, std::string_view user_id,
                        std::string_view role);
  // Owners remove anyone, admins remove members and admins, anyone removes itself; the last
  // owner cannot be removed (conflict).
  Outcome<Done> RemoveMember(const Principal& who, std::string_view org, std::string_view user_id);

 private:
  store::OrgStore& orgs_;
};

}  // namespace oakgate::manage
