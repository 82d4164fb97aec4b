#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/store/pg/statements.hpp"

namespace oakgate::store::pg {

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
    tx.exec_prepared(sql::kSessionsEndForUser.name, r[0][0].as<std::string>());
    tx.commit();
    return true;
  });
}

}  // namespace oakgate::store::pg
