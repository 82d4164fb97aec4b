#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

ApiKey KeyFromRow(const pqxx::row& row) {
  ApiKey k;
  k.key_id = row["key_id"].as<std::string>();
  k.key_hash = pqxx::binarystring(row["key_hash"]).str();
  k.user_id = row["user_id"].as<std::string>();
  k.agent_id = row["agent_id"].as<std::string>();
  k.name = row["name"].as<std::string>("");
  k.scopes = SplitWords(row["scopes"].as<std::string>(""));
  k.created_at = row["created"].as<int64_t>();
  k.expires_at = OptionalInt(row["expires"]);
  k.revoked_at = OptionalInt(row["revoked"]);
  k.last_used_at = OptionalInt(row["last_used"]);
  k.replaces = OptionalText(row["replaces"]);
  k.expired = row["expired"].as<bool>();
  return k;
}

pqxx::result InsertKey(pqxx::transaction_base& tx, const NewApiKey& k,
                       const std::optional<std::string>& replaces) {
  std::optional<std::string> expires_in;
  if (k.expires_in) expires_in = std::to_string(*k.expires_in);
  auto r = tx.exec_prepared(sql::kApiKeyInsert.name, k.key_id, pqxx::binarystring(k.key_hash),
                            k.user_id, k.agent_id, k.name, JoinWords(k.scopes), OrNull(expires_in),
                            OrNull(replaces));
  if (k.reveal) {
    // After the key (the slot references it), before the commit of both.
    tx.exec_prepared(sql::kRevealDropStale.name, k.reveal->session_id);
    tx.exec_prepared(sql::kRevealPut.name, k.reveal->session_id, k.key_id,
                     pqxx::binarystring(k.reveal->sealed));
  }
  return r;
}

}  // namespace

ApiKey PgApiKeyStore::Insert(const NewApiKey& key, const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = InsertKey(tx, key, std::nullopt);
    WriteAudit(tx, audit);
    ApiKey k = KeyFromRow(r.at(0));
    tx.commit();
    return k;
  });
}

std::optional<ApiKeyWithAgent> PgApiKeyStore::FindForVerification(std::string_view key_id) {
  return db_.Guard([&]() -> std::optional<ApiKeyWithAgent> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kApiKeyVerify.name, std::string(key_id));
    if (r.empty()) return std::nullopt;
    const auto& row = r[0];
    ApiKeyWithAgent out;
    out.key = KeyFromRow(row);
    out.user_disabled = row["user_disabled"].as<bool>();
    out.agent_enabled = row["enabled"].as<bool>();
    out.rate_limit = row["rate_limit"].as<int64_t>();
    out.burst = row["burst"].as<int64_t>();
    return out;
  });
}

std::optional<ApiKey> PgApiKeyStore::FindForUser(std::string_view user_id,
                                                 std::string_view key_id) {
  return db_.Guard([&]() -> std::optional<ApiKey> {
    pqxx::nontransaction tx(db_.Connection());
    auto r =
        tx.exec_prepared(sql::kApiKeyFindForUser.name, std::string(user_id), std::string(key_id));
    if (r.empty()) return std::nullopt;
    return KeyFromRow(r[0]);
  });
}

std::vector<ApiKey> PgApiKeyStore::ListForUser(std::string_view user_id) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    std::vector<ApiKey> out;
    for (const auto& row : tx.exec_prepared(sql::kApiKeyList.name, std::string(user_id))) {
      out.push_back(KeyFromRow(row));
    }
    return out;
  });
}

bool PgApiKeyStore::Revoke(std::string_view user_id, std::string_view key_id,
                           const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kApiKeyRevoke.name, std::string(user_id), std::string(key_id));
    if (r.affected_rows() != 1) return false;
    WriteAudit(tx, audit);
    tx.commit();
    return true;
  });
}

std::optional<std::pair<ApiKey, int64_t>> PgApiKeyStore::Rotate(std::string_view user_id,
                                                                std::string_view old_key_id,
                                                                const NewApiKey& replacement,
                                                                int64_t grace_seconds,
                                                                const AuditEvent& audit) {
  return db_.Guard([&]() -> std::optional<std::pair<ApiKey, int64_t>> {
    pqxx::work tx(db_.Connection());
    auto old = tx.exec_prepared(sql::kApiKeyExpireForRotation.name, std::string(user_id),
                                std::string(old_key_id), grace_seconds);
    if (old.empty()) return std::nullopt;
    int64_t old_expires = old[0]["expires"].as<int64_t>();
    auto r = InsertKey(tx, replacement, std::string(old_key_id));
    WriteAudit(tx, audit);
    ApiKey k = KeyFromRow(r.at(0));
    tx.commit();
    return std::make_pair(std::move(k), old_expires);
  });
}

void PgApiKeyStore::TouchLastUsed(std::string_view key_id) {
  db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    tx.exec_prepared(sql::kApiKeyTouch.name, std::string(key_id));
  });
}

}  // namespace oakgate::store::pg
