#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/store/pg/statements.hpp"

namespace oakgate::store::pg {
namespace {

// CONTRACT §1: disabling ends the user's sessions and revokes their tokens and keys. The
// lookups already refuse a disabled user's credentials; revoking them too means enabling the
// user again (by hand, in SQL) would not bring any of them back.
void EndEverything(pqxx::transaction_base& tx, const std::string& user_id, const char* reason,
                   bool keys = true) {
  tx.exec_prepared(sql::kSessionsEndForUser.name, user_id);
  tx.exec_prepared(sql::kFamiliesRevokeForUser.name, user_id, reason);
  if (keys) tx.exec_prepared(sql::kApiKeysRevokeForUser.name, user_id);
}

}  // namespace

std::optional<User> PgUserStore::FindByEmail(std::string_view normalized_email) {
  return db_.Guard([&]() -> std::optional<User> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kUserByEmail.name, std::string(normalized_email));
    if (r.empty()) return std::nullopt;
    User u;
    u.id = r[0][0].as<std::string>();
    u.email = r[0][1].as<std::string>();
    u.password_hash = r[0][2].as<std::string>();
    u.is_admin = r[0][3].as<bool>();
    u.disabled = r[0][4].as<bool>();
    return u;
  });
}

std::optional<User> PgUserStore::Create(std::string_view email, std::string_view normalized_email,
                                        std::string_view password_hash, bool is_admin) {
  return db_.Guard([&]() -> std::optional<User> {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kUserCreate.name, std::string(email),
                              std::string(normalized_email), std::string(password_hash), is_admin);
    tx.commit();
    if (r.empty()) return std::nullopt;
    return User{r[0][0].as<std::string>(), std::string(email), std::string(password_hash), is_admin,
                false};
  });
}

bool PgUserStore::SetPassword(std::string_view normalized_email, std::string_view password_hash) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kUserSetPassword.name, std::string(normalized_email),
                              std::string(password_hash));
    tx.commit();
    return r.affected_rows() == 1;
  });
}

bool PgUserStore::Disable(std::string_view normalized_email) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kUserDisable.name, std::string(normalized_email));
    if (r.empty()) return false;
    EndEverything(tx, r[0][0].as<std::string>(), "user disabled");
    tx.commit();
    return true;
  });
}

bool PgUserStore::DisableById(std::string_view user_id, const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kUserDisableById.name, std::string(user_id));
    if (r.empty()) return false;
    EndEverything(tx, std::string(user_id), "user disabled");
    WriteAudit(tx, audit);
    tx.commit();
    return true;
  });
}

std::vector<UserSummary> PgUserStore::List() {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    std::vector<UserSummary> out;
    for (const auto& row : tx.exec_prepared(sql::kUserList.name)) {
      out.push_back({row["id"].as<std::string>(), row["email"].as<std::string>(),
                     row["is_admin"].as<bool>(), row["disabled"].as<bool>(),
                     row["created"].as<int64_t>()});
    }
    return out;
  });
}

void PgUserStore::SignOutEverywhere(std::string_view user_id, const AuditEvent& audit) {
  db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    // Sessions and OAuth grants; API keys belong to agents and stay (the keys page revokes
    // them one by one).
    EndEverything(tx, std::string(user_id), "signed out everywhere", /*keys=*/false);
    WriteAudit(tx, audit);
    tx.commit();
  });
}

}  // namespace oakgate::store::pg
