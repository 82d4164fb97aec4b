#include "gateway/store/pg/pg_legacy_jwt_store.hpp"

#include "gateway/store/pg/pg_helpers.hpp"

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
  // As session::NormalizeEmail: how users.email_normalized was written.
  std::string normalized = util::ToLower(util::Trim(key));
  // The id parameter is NULL unless the key is a UUID (a cast of anything else would fail).
  std::optional<std::string> id;
  if (IsUuid(key)) id = std::string(key);
  return QueryOne(
      db_, sql::kLegacyUserFind,
      [](const pqxx::row& row) {
        return LegacyUser{row["id"].as<std::string>(), row["email"].as<std::string>(),
                          row["disabled"].as<bool>()};
      },
      normalized, OrNull(id));
}

std::optional<Issued> PgLegacyJwtStore::Exchange(const LegacyExchange& e) {
  return Transact(db_, [&](pqxx::work& tx) -> std::optional<Issued> {
    // First, so a replay writes nothing: a concurrent second INSERT of the same key waits
    // for the first transaction and then finds the conflict (or wins if it rolled back).
    if (tx.exec_prepared(sql::kLegacyJwtUse.name, Bytea(e.replay_key), e.replay_expires_at)
            .empty()) {
      return std::nullopt;  // nothing was written: committing is rolling back
    }
    auto fam =
        tx.exec_prepared1(sql::kFamilyCreate.name, e.client_id, e.user_id, util::JoinList(e.scopes),
                          e.family_ttl_seconds, std::string(), e.family_idle_ttl_seconds);
    int64_t family_id = fam[0].as<int64_t>();
    auto access =
        tx.exec_prepared1(sql::kAccessTokenCreate.name, Bytea(e.tokens.access_hash),
                          util::JoinList(e.tokens.access_scopes), e.tokens.access_ttl_seconds,
                          family_id, util::JoinList(e.tokens.audience));
    if (!e.tokens.refresh_hash.empty()) {
      tx.exec_prepared(sql::kRefreshTokenCreate.name, Bytea(e.tokens.refresh_hash), family_id,
                       nullptr);
    }
    AuditEvent audit = e.audit;
    audit.subject = "family:" + std::to_string(family_id);
    WriteAudit(tx, audit);
    return Issued{family_id, access[0].as<int64_t>()};
  });
}

}  // namespace oakgate::store::pg
