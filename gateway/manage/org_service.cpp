#include "gateway/manage/org_service.hpp"

#include <nlohmann/json.hpp>

#include "gateway/manage/fields.hpp"

namespace oakgate::manage {
namespace {

constexpr const char* kNoOrg = "no such organization";
constexpr const char* kNoMember = "no such member";
constexpr const char* kLastOwner = "an organization keeps at least one owner";
constexpr const char* kRoleForbids = "your role in this organization does not allow this";

std::optional<DomainError> CheckInput(const OrgInput& input, bool creating) {
  if (creating && !input.name) return Invalid("name", "name is required").error;
  if (creating && !input.slug) return Invalid("slug", "slug is required").error;
  if (input.name && (input.name->empty() || !IsPlainText(*input.name, 200))) {
    return Invalid("name", "name must be 1 to 200 characters of text").error;
  }
  if (input.slug && !IsValidSlug(*input.slug)) {
    return Invalid("slug", "slug must match [a-z0-9-]{3,40}").error;
  }
  return std::nullopt;
}

// Who may give or take which role: owners any; admins only between member and admin, and
// never to or from an owner.
bool MayAssign(const Principal& who, store::Role from, store::Role to) {
  if (who.IsOwner()) return true;
  if (who.role != store::Role::kAdmin) return false;
  return from != store::Role::kOwner && to != store::Role::kOwner;
}

}  // namespace

bool IsValidSlug(std::string_view slug) {
  if (slug.size() < 3 || slug.size() > 40) return false;
  for (char c : slug) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Outcome<store::Membership> OrgService::Enter(Principal& who, std::string_view org) {
  std::optional<store::Membership> m;
  if (org.empty()) {
    m = orgs_.Personal(who.user_id);
  } else if (org.size() <= 64) {
    m = orgs_.FindMembership(who.user_id, org);
  }
  if (!m) return NotFound(kNoOrg);
  who.org_id = m->org.id;
  who.role = m->role;
  return *m;
}

Outcome<std::vector<store::Membership>> OrgService::List(const Principal& who) {
  return orgs_.ListForUser(who.user_id);
}

Outcome<store::Organization> OrgService::Create(const Principal& who, const OrgInput& input) {
  if (auto e = CheckInput(input, true)) return util::Fail(*e);
  store::AuditEvent audit = who.Audit(
      "org.created", "", nlohmann::json{{"name", *input.name}, {"slug", *input.slug}}.dump());
  auto created = orgs_.Create(*input.name, *input.slug, who.user_id, audit);
  if (!created) return Conflict("an organization with this slug exists", "slug");
  return *created;
}

Outcome<store::Membership> OrgService::Get(const Principal& who, std::string_view org) {
  auto m = org.size() <= 64 ? orgs_.FindMembership(who.user_id, org) : std::nullopt;
  if (!m) return NotFound(kNoOrg);
  return *m;
}

Outcome<store::Organization> OrgService::Update(const Principal& who, std::string_view org,
                                                const OrgInput& input) {
  auto m = Get(who, org);
  if (!m) return util::Fail(m.error());
  if (m.value().role != store::Role::kOwner) return Forbidden(kRoleForbids);
  if (auto e = CheckInput(input, false)) return util::Fail(*e);
  store::Organization o = m.value().org;
  if (input.slug && o.personal && *input.slug != o.slug) {
    return Invalid("slug", "a personal organization's slug cannot change");
  }
  if (input.name) o.name = *input.name;
  if (input.slug) o.slug = *input.slug;
  Principal in_org = who;
  in_org.org_id = o.id;
  nlohmann::json details = {{"name", o.name}, {"slug", o.slug}};
  switch (orgs_.Update(o.id, o.name, o.slug, in_org.Audit("org.updated", o.id, details.dump()))) {
    case store::OrgStore::UpdateOutcome::kOk:
      return o;
    case store::OrgStore::UpdateOutcome::kSlugTaken:
      return Conflict("an organization with this slug exists", "slug");
    case store::OrgStore::UpdateOutcome::kNotFound:
      break;
  }
  return NotFound(kNoOrg);
}

Outcome<Done> OrgService::Delete(const Principal& who, std::string_view org) {
  auto m = Get(who, org);
  if (!m) return util::Fail(m.error());
  if (m.value().role != store::Role::kOwner) return Forbidden(kRoleForbids);
  if (m.value().org.personal) return Conflict("a personal organization cannot be deleted");
  Principal in_org = who;
  in_org.org_id = m.value().org.id;
  if (!orgs_.Delete(in_org.org_id, in_org.Audit("org.deleted", in_org.org_id))) {
    return NotFound(kNoOrg);
  }
  return Done{};
}

Outcome<std::vector<store::Member>> OrgService::Members(const Principal& who,
                                                        std::string_view org) {
  auto m = Get(who, org);
  if (!m) return util::Fail(m.error());
  return orgs_.ListMembers(m.value().org.id);
}

Outcome<Done> OrgService::SetRole(const Principal& who, std::string_view org,
                                  std::string_view user_id, std::string_view role) {
  auto m = Get(who, org);
  if (!m) return util::Fail(m.error());
  Principal in_org = who;
  in_org.org_id = m.value().org.id;
  in_org.role = m.value().role;
  if (!in_org.CanManage()) return Forbidden(kRoleForbids);
  auto to = store::ParseRole(role);
  if (!to) return Invalid("role", "role must be owner, admin or member");
  if (!IsUuid(user_id)) return NotFound(kNoMember);
  std::optional<store::Role> from;
  for (const auto& member : orgs_.ListMembers(in_org.org_id)) {
    if (member.user_id == user_id) from = member.role;
  }
  if (!from) return NotFound(kNoMember);
  if (!MayAssign(in_org, *from, *to)) return Forbidden(kRoleForbids);
  nlohmann::json details = {{"role", store::RoleName(*to)}};
  switch (orgs_.SetRole(
      in_org.org_id, user_id, *to,
      in_org.Audit("org.member_role_changed", std::string(user_id), details.dump()))) {
    case store::MemberChange::kOk:
      return Done{};
    case store::MemberChange::kLastOwner:
      return Conflict(kLastOwner, "role");
    case store::MemberChange::kNotFound:
      break;
  }
  return NotFound(kNoMember);
}

Outcome<Done> OrgService::RemoveMember(const Principal& who, std::string_view org,
                                       std::string_view user_id) {
  auto m = Get(who, org);
  if (!m) return util::Fail(m.error());
  Principal in_org = who;
  in_org.org_id = m.value().org.id;
  in_org.role = m.value().role;
  bool self = user_id == who.user_id;
  if (!self) {
    if (!in_org.CanManage()) return Forbidden(kRoleForbids);
    if (!IsUuid(user_id)) return NotFound(kNoMember);
    std::optional<store::Role> role;
    for (const auto& member : orgs_.ListMembers(in_org.org_id)) {
      if (member.user_id == user_id) role = member.role;
    }
    if (!role) return NotFound(kNoMember);
    if (!MayAssign(in_org, *role, store::Role::kMember)) return Forbidden(kRoleForbids);
  }
  switch (orgs_.RemoveMember(in_org.org_id, user_id,
                             in_org.Audit("org.member_removed", std::string(user_id)))) {
    case store::MemberChange::kOk:
      return Done{};
    case store::MemberChange::kLastOwner:
      return Conflict(kLastOwner);
    case store::MemberChange::kNotFound:
      break;
  }
  return NotFound(kNoMember);
}

}  // namespace oakgate::manage
