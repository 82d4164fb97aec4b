#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/store/pg/statements.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::store::pg {

std::optional<AccessToken> PgTokenStore::FindActiveAccessToken(std::string_view token_hash) {
  return db_.Guard([&]() -> std::optional<AccessToken> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kAccessTokenFindActive.name,
                              pqxx::binarystring(std::string(token_hash)));
    if (r.empty()) return std::nullopt;
    const auto& row = r[0];
    AccessToken t;
    t.id = row["id"].as<int64_t>();
    t.family_id = row["family_id"].as<int64_t>();
    t.client_id = row["client_id"].as<std::string>();
    if (!row["user_id"].is_null()) t.user_id = row["user_id"].as<std::string>();
    t.username = row["email"].as<std::string>("");
    std::string scopes = row["scopes"].as<std::string>("");
    if (!scopes.empty()) {
      for (auto s : util::Split(scopes, ' ')) t.scopes.emplace_back(s);
    }
    t.issued_at = row["issued"].as<int64_t>();
    t.expires_at = row["expires"].as<int64_t>();
    return t;
  });
}

}  // namespace oakgate::store::pg
