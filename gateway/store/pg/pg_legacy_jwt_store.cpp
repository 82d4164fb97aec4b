#include "gateway/store/pg/pg_legacy_jwt_store.hpp"

#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/statements.hpp"

namespace oakgate::store::pg {
namespace {

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

}  // namespace

std::optional<LegacyUser> PgLegacyJwtStore::FindUser(std::string_view key) {
  return db_.Guard([&]() -> std::optional<LegacyUser> {
    pqxx::nontransaction tx(db_.Connection());
    // As session::NormalizeEmail: how users.email_normalized was written.
    std::string normalized = util::ToLower(util::Trim(key));
    pqxx::result r = IsUuid(key)
                         ? tx.exec_prepared(sql::kLegacyUserFind.name, normalized, std::string(key))
                         : tx.exec_prepared(sql::kLegacyUserFind.name, normalized, nullptr);
    if (r.empty()) return std::nullopt;
    LegacyUser u;
    u.id = r[0]["id"].as<std::string>();
    u.email = r[0]["email"].as<std::string>();
    u.disabled = r[0]["disabled"].as<bool>();
    return u;
  });
}

std::optional<Issued> PgLegacyJwtStore::Exchange(const LegacyExchange& e) {
  return db_.Guard([&]() -> std::optional<Issued> {
    pqxx::work tx(db_.Connection());
    // First, so a replay writes nothing: a concurrent second INSERT of the same key waits
    // for the first transaction and then finds the conflict (or wins if it rolled back).
    if (tx.exec_prepared(sql::kLegacyJwtUse.name, pqxx::binarystring(e.replay_key),
                         e.replay_expires_at)
            .empty()) {
      return std::nullopt;
    }
    auto fam = tx.exec_prepared1(sql::kFamilyCreate.name, e.client_id, e.user_id,
                                 JoinWords(e.scopes), e.family_ttl_seconds, std::string());
    int64_t family_id = fam[0].as<int64_t>();
    auto access =
        tx.exec_prepared1(sql::kAccessTokenCreate.name, pqxx::binarystring(e.tokens.access_hash),
                          JoinWords(e.tokens.access_scopes), e.tokens.access_ttl_seconds, family_id,
                          JoinWords(e.tokens.audience));
    if (!e.tokens.refresh_hash.empty()) {
      tx.exec_prepared(sql::kRefreshTokenCreate.name, pqxx::binarystring(e.tokens.refresh_hash),
                       family_id, nullptr);
    }
    AuditEvent audit = e.audit;
    audit.subject = "family:" + std::to_string(family_id);
    WriteAudit(tx, audit);
    tx.commit();
    return Issued{family_id, access[0].as<int64_t>()};
  });
}

}  // namespace oakgate::store::pg
