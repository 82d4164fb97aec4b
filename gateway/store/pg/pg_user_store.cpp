#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

// CONTRACT §1: disabling ends the user's sessions and revokes their tokens and keys. The
// lookups already refuse a disabled user's credentials; revoking them too means enabling the
// user again (by hand, in SQL) would not bring any of them back.
void EndEverything(pqxx::transaction_base& tx, const std::string& user_id, const char* reason,
                   bool keys = true) {
  tx.exec_prepared(sql::kSessionsEndForUser.name, user_id);
  tx.exec_prepared(sql::kFamiliesRevokeForUser.name, user_id, reason);
  tx.exec_prepared(sql::kCodesExpireForUser.name, user_id);
  if (keys) tx.exec_prepared(sql::kApiKeysRevokeForUser.name, user_id);
}

// The event of a change to user `id`, known once the change's statement returned it.
void ForUser(AuditEvent& event, const std::string& id) {
  event.user_id = id;
  if (event.subject.empty()) event.subject = id;
}

}  // namespace

std::optional<User> PgUserStore::FindByEmail(std::string_view normalized_email) {
  return QueryOne(
      db_, sql::kUserByEmail,
      [](const pqxx::row& row) {
        return User{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                    row[3].as<bool>(), row[4].as<bool>()};
      },
      std::string(normalized_email));
}

std::optional<User> PgUserStore::Create(std::string_view email, std::string_view normalized_email,
                                        std::string_view password_hash, bool is_admin,
                                        const AuditEvent& audit) {
  std::optional<User> created;
  AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent& event) {
    auto r = tx.exec_prepared(sql::kUserCreate.name, std::string(email),
                              std::string(normalized_email), std::string(password_hash), is_admin);
    if (r.empty()) return WriteOutcome::kConflict;
    created = User{r[0][0].as<std::string>(), std::string(email), std::string(password_hash),
                   is_admin, false};
    ForUser(event, created->id);
    return WriteOutcome::kOk;
  });
  return created;
}

bool PgUserStore::SetPassword(std::string_view normalized_email, std::string_view password_hash,
                              const AuditEvent& audit) {
  return AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent& event) {
           auto r = tx.exec_prepared(sql::kUserSetPassword.name, std::string(normalized_email),
                                     std::string(password_hash));
           if (r.empty()) return WriteOutcome::kNotFound;
           std::string id = r[0][0].as<std::string>();
           // A new password is how an operator answers a stolen one: whoever signed in with
           // the old password loses their sessions and grants in the same commit. API keys
           // are the agents' credentials, not the password's, and stay.
           EndEverything(tx, id, "password changed", /*keys=*/false);
           ForUser(event, id);
           return WriteOutcome::kOk;
         }) == WriteOutcome::kOk;
}

bool PgUserStore::Disable(std::string_view normalized_email, const AuditEvent& audit) {
  return AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent& event) {
           auto r = tx.exec_prepared(sql::kUserDisable.name, std::string(normalized_email));
           if (r.empty()) return WriteOutcome::kNotFound;
           std::string id = r[0][0].as<std::string>();
           EndEverything(tx, id, "user disabled");
           ForUser(event, id);
           return WriteOutcome::kOk;
         }) == WriteOutcome::kOk;
}

bool PgUserStore::DisableById(std::string_view user_id, const AuditEvent& audit) {
  return AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent&) {
           if (tx.exec_prepared(sql::kUserDisableById.name, std::string(user_id)).empty()) {
             return WriteOutcome::kNotFound;
           }
           EndEverything(tx, std::string(user_id), "user disabled");
           return WriteOutcome::kOk;
         }) == WriteOutcome::kOk;
}

std::vector<UserSummary> PgUserStore::List() {
  return QueryAll(db_, sql::kUserList, [](const pqxx::row& row) {
    return UserSummary{row["id"].as<std::string>(), row["email"].as<std::string>(),
                       row["is_admin"].as<bool>(), row["disabled"].as<bool>(),
                       row["created"].as<int64_t>()};
  });
}

void PgUserStore::SignOutEverywhere(std::string_view user_id, const AuditEvent& audit) {
  AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent&) {
    // Sessions and OAuth grants; API keys belong to agents and stay (the keys page revokes
    // them one by one).
    EndEverything(tx, std::string(user_id), "signed out everywhere", /*keys=*/false);
    return WriteOutcome::kOk;
  });
}

}  // namespace oakgate::store::pg
