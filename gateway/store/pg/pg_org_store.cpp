#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store {
namespace pg {
namespace {

Organization OrgFromRow(const pqxx::row& row) {
  Organization o;
  o.id = row["id"].as<std::string>();
  o.name = row["name"].as<std::string>();
  o.slug = row["slug"].as<std::string>();
  o.personal = row["personal"].as<bool>();
  o.max_agents = OptionalInt(row["max_agents"]);
  o.monthly_decisions = OptionalInt(row["monthly_decisions"]);
  o.created_at = row["created"].as<int64_t>();
  return o;
}

Membership MembershipFromRow(const pqxx::row& row) {
  // The database's CHECK allows only the three names.
  return Membership{OrgFromRow(row),
                    ParseRole(row["role"].as<std::string>()).value_or(Role::kMember)};
}

Member MemberFromRow(const pqxx::row& row) {
  return Member{row["user_id"].as<std::string>(), row["email"].as<std::string>(),
                ParseRole(row["role"].as<std::string>()).value_or(Role::kMember),
                row["joined"].as<int64_t>()};
}

// Under the organization's lock: the member's role now and how many owners there are. The
// change is refused when it would leave no owner.
template <typename Change>
MemberChange ChangeMember(PgDatabase& db, std::string_view org_id, std::string_view user_id,
                          std::optional<Role> new_role, const AuditEvent& audit, Change&& change) {
  MemberChange result = MemberChange::kNotFound;
  AuditedWrite(db, audit, [&](pqxx::work& tx, AuditEvent&) {
    std::string org(org_id), user(user_id);
    if (tx.exec_prepared(sql::kOrgLock.name, org).empty()) return WriteOutcome::kNotFound;
    auto current = tx.exec_prepared(sql::kOrgMemberRole.name, org, user);
    if (current.empty()) return WriteOutcome::kNotFound;
    bool is_owner = current[0]["role"].as<std::string>() == "owner";
    bool stays_owner = new_role == Role::kOwner;
    if (is_owner && !stays_owner && current[0]["owners"].as<int64_t>() <= 1) {
      result = MemberChange::kLastOwner;
      return WriteOutcome::kConflict;
    }
    change(tx, org, user);
    result = MemberChange::kOk;
    return WriteOutcome::kOk;
  });
  return result;
}

}  // namespace

std::optional<Membership> PgOrgStore::FindMembership(std::string_view user_id,
                                                     std::string_view org) {
  return QueryOne(db_, sql::kOrgMembership, MembershipFromRow, std::string(user_id),
                  std::string(org));
}

std::optional<Membership> PgOrgStore::Personal(std::string_view user_id) {
  return QueryOne(db_, sql::kOrgPersonal, MembershipFromRow, std::string(user_id));
}

std::vector<Membership> PgOrgStore::ListForUser(std::string_view user_id) {
  return QueryAll(db_, sql::kOrgListForUser, MembershipFromRow, std::string(user_id));
}

std::optional<Organization> PgOrgStore::Find(std::string_view org) {
  return QueryOne(db_, sql::kOrgFind, OrgFromRow, std::string(org));
}

std::vector<Organization> PgOrgStore::List() { return QueryAll(db_, sql::kOrgList, OrgFromRow); }

std::optional<Organization> PgOrgStore::Create(std::string_view name, std::string_view slug,
                                               std::string_view owner_user_id,
                                               const AuditEvent& audit) {
  std::optional<Organization> created;
  AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent& event) {
    auto r = tx.exec_prepared(sql::kOrgCreate.name, std::string(name), std::string(slug));
    if (r.empty()) return WriteOutcome::kConflict;
    created = OrgFromRow(r[0]);
    tx.exec_prepared(sql::kOrgMemberAdd.name, created->id, std::string(owner_user_id), "owner");
    event.subject = event.org_id = created->id;
    return WriteOutcome::kOk;
  });
  return created;
}

OrgStore::UpdateOutcome PgOrgStore::Update(std::string_view org_id, std::string_view name,
                                           std::string_view slug, const AuditEvent& audit) {
  switch (AuditedChange(db_, audit, sql::kOrgUpdate, std::string(org_id), std::string(name),
                        std::string(slug))) {
    case WriteOutcome::kOk:
      return UpdateOutcome::kOk;
    case WriteOutcome::kConflict:
      return UpdateOutcome::kSlugTaken;
    case WriteOutcome::kNotFound:
      break;
  }
  return UpdateOutcome::kNotFound;
}

bool PgOrgStore::Delete(std::string_view org_id, const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kOrgDelete, std::string(org_id)) == WriteOutcome::kOk;
}

bool PgOrgStore::SetLimits(std::string_view org_id, const OrgLimits& limits,
                           const AuditEvent& audit) {
  auto text = [](const std::optional<int64_t>& v) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    return std::to_string(*v);
  };
  auto max_agents = text(limits.max_agents), monthly = text(limits.monthly_decisions);
  return AuditedChange(db_, audit, sql::kOrgSetLimits, std::string(org_id), OrNull(max_agents),
                       OrNull(monthly)) == WriteOutcome::kOk;
}

std::vector<Member> PgOrgStore::ListMembers(std::string_view org_id) {
  return QueryAll(db_, sql::kOrgMemberList, MemberFromRow, std::string(org_id));
}

bool PgOrgStore::AddMember(std::string_view org_id, std::string_view user_id, Role role,
                           const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kOrgMemberAdd, std::string(org_id), std::string(user_id),
                       std::string(RoleName(role))) == WriteOutcome::kOk;
}

MemberChange PgOrgStore::SetRole(std::string_view org_id, std::string_view user_id, Role role,
                                 const AuditEvent& audit) {
  return ChangeMember(db_, org_id, user_id, role, audit,
                      [&](pqxx::work& tx, const std::string& org, const std::string& user) {
                        tx.exec_prepared(sql::kOrgMemberSetRole.name, org, user,
                                         std::string(RoleName(role)));
                      });
}

MemberChange PgOrgStore::RemoveMember(std::string_view org_id, std::string_view user_id,
                                      const AuditEvent& audit) {
  return ChangeMember(db_, org_id, user_id, std::nullopt, audit,
                      [](pqxx::work& tx, const std::string& org, const std::string& user) {
                        tx.exec_prepared(sql::kOrgMemberRemove.name, org, user);
                      });
}

}  // namespace pg
}  // namespace oakgate::store
