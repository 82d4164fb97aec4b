#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

Invitation ReadInvitation(const pqxx::row& row) {
  Invitation i;
  i.id = row["id"].as<std::string>();
  i.org_id = row["org_id"].as<std::string>();
  i.org_name = row["org_name"].as<std::string>();
  i.email = row["email"].as<std::string>();
  // The column's CHECK allows only the three roles.
  i.role = ParseRole(row["role"].as<std::string>()).value_or(Role::kMember);
  i.invited_by = row["invited_by"].as<std::string>();
  i.created_at = row["created"].as<int64_t>();
  i.expires_at = row["expires"].as<int64_t>();
  i.accepted_at = OptionalInt(row["accepted"]);
  i.revoked_at = OptionalInt(row["revoked"]);
  return i;
}

}  // namespace

std::optional<Invitation> PgInvitationStore::Create(const NewInvitation& n,
                                                    const AuditEvent& audit) {
  std::optional<Invitation> created;
  AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent& event) {
    auto r = tx.exec_prepared(sql::kInvitationCreate.name, n.org_id, n.email, n.email_normalized,
                              std::string(RoleName(n.role)), Bytea(n.token_hash), n.invited_by,
                              n.expires_at);
    if (r.empty()) return WriteOutcome::kConflict;
    created = ReadInvitation(r[0]);
    event.subject = "invitation:" + created->id;
    return WriteOutcome::kOk;
  });
  return created;
}

std::vector<Invitation> PgInvitationStore::List(std::string_view org_id, int64_t limit) {
  return QueryAll(db_, sql::kInvitationList, ReadInvitation, std::string(org_id), limit);
}

std::optional<Invitation> PgInvitationStore::Find(std::string_view org_id,
                                                  std::string_view invitation_id) {
  return QueryOne(db_, sql::kInvitationFind, ReadInvitation, std::string(org_id),
                  std::string(invitation_id));
}

bool PgInvitationStore::Revoke(std::string_view org_id, std::string_view invitation_id,
                               const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kInvitationRevoke, std::string(org_id),
                       std::string(invitation_id)) == WriteOutcome::kOk;
}

std::optional<Invitation> PgInvitationStore::FindByToken(std::string_view token_hash) {
  return QueryOne(db_, sql::kInvitationFindByToken, ReadInvitation, Bytea(token_hash));
}

AcceptOutcome PgInvitationStore::Accept(std::string_view token_hash, std::string_view user_id,
                                        std::string_view email_normalized, int64_t now,
                                        const AuditEvent& audit) {
  AcceptOutcome outcome = AcceptOutcome::kGone;
  // Single use (CONTRACT §9): the row lock makes a concurrent acceptance wait and then find
  // the invitation used; the membership and the mark commit together or not at all.
  AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent& event) {
    auto r = tx.exec_prepared(sql::kInvitationLock.name, Bytea(token_hash), now);
    if (r.empty() || !r[0]["pending"].as<bool>()) return WriteOutcome::kNotFound;
    if (r[0]["email_normalized"].as<std::string>() != email_normalized) {
      outcome = AcceptOutcome::kWrongEmail;
      return WriteOutcome::kNotFound;
    }
    std::string id = r[0]["id"].as<std::string>();
    std::string org_id = r[0]["org_id"].as<std::string>();
    auto joined = tx.exec_prepared(sql::kInvitationJoin.name, org_id, std::string(user_id),
                                   r[0]["role"].as<std::string>());
    tx.exec_prepared(sql::kInvitationMarkAccepted.name, id, std::string(user_id));
    outcome =
        joined.affected_rows() == 1 ? AcceptOutcome::kAccepted : AcceptOutcome::kAlreadyMember;
    event.subject = "invitation:" + id;
    event.org_id = org_id;  // the organization joined, not the user's personal one
    event.details_json = "{\"role\":\"" + r[0]["role"].as<std::string>() + "\"}";
    return WriteOutcome::kOk;
  });
  return outcome;
}

}  // namespace oakgate::store::pg
