#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

ApiKey KeyFromRow(const pqxx::row& row) {
  ApiKey k;
  k.key_id = row["key_id"].as<std::string>();
  k.key_hash = pqxx::binarystring(row["key_hash"]).str();
  k.user_id = row["user_id"].as<std::string>();
  k.org_id = row["org_id"].as<std::string>("");
  k.agent_id = row["agent_id"].as<std::string>();
  k.name = row["name"].as<std::string>("");
  k.scopes = ListField(row["scopes"]);
  k.created_at = row["created"].as<int64_t>();
  k.expires_at = OptionalInt(row["expires"]);
  k.revoked_at = OptionalInt(row["revoked"]);
  k.last_used_at = OptionalInt(row["last_used"]);
  k.replaces = OptionalText(row["replaces"]);
  k.expired = row["expired"].as<bool>();
  return k;
}

ApiKey InsertKey(pqxx::transaction_base& tx, const NewApiKey& k,
                 const std::optional<std::string>& replaces) {
  std::optional<std::string> expires_in;
  if (k.expires_in) expires_in = std::to_string(*k.expires_in);
  ApiKey key = KeyFromRow(tx.exec_prepared1(sql::kApiKeyInsert.name, k.key_id, Bytea(k.key_hash),
                                            k.user_id, k.agent_id, k.name, util::JoinList(k.scopes),
                                            OrNull(expires_in), OrNull(replaces), k.org_id));
  if (k.reveal) {
    // After the key (the slot references it), before the commit of both.
    tx.exec_prepared(sql::kRevealDropStale.name, k.reveal->session_id);
    tx.exec_prepared(sql::kRevealPut.name, k.reveal->session_id, k.key_id, Bytea(k.reveal->sealed));
  }
  return key;
}

}  // namespace

ApiKey PgApiKeyStore::Insert(const NewApiKey& key, const AuditEvent& audit) {
  return Transact(db_, [&](pqxx::work& tx) {
    ApiKey k = InsertKey(tx, key, std::nullopt);
    WriteAudit(tx, audit);
    return k;
  });
}

std::optional<ApiKeyWithAgent> PgApiKeyStore::FindForVerification(std::string_view key_id) {
  return QueryOne(
      db_, sql::kApiKeyVerify,
      [](const pqxx::row& row) {
        return ApiKeyWithAgent{KeyFromRow(row),
                               row["user_disabled"].as<bool>(),
                               row["enabled"].as<bool>(),
                               row["rate_limit"].as<int64_t>(),
                               row["burst"].as<int64_t>(),
                               row["org_id"].as<std::string>(""),
                               OptionalText(row["agent_user_id"])};
      },
      std::string(key_id));
}

std::optional<ApiKey> PgApiKeyStore::FindInOrg(std::string_view org_id, std::string_view key_id) {
  return QueryOne(db_, sql::kApiKeyFindInOrg, KeyFromRow, std::string(org_id), std::string(key_id));
}

std::vector<ApiKey> PgApiKeyStore::ListForOrg(std::string_view org_id) {
  return QueryAll(db_, sql::kApiKeyList, KeyFromRow, std::string(org_id));
}

bool PgApiKeyStore::Revoke(std::string_view org_id, std::string_view key_id,
                           const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kApiKeyRevoke, std::string(org_id), std::string(key_id)) ==
         WriteOutcome::kOk;
}

std::optional<std::pair<ApiKey, int64_t>> PgApiKeyStore::Rotate(std::string_view org_id,
                                                                std::string_view old_key_id,
                                                                const NewApiKey& replacement,
                                                                int64_t grace_seconds,
                                                                const AuditEvent& audit) {
  return Transact(db_, [&](pqxx::work& tx) -> std::optional<std::pair<ApiKey, int64_t>> {
    auto old = tx.exec_prepared(sql::kApiKeyExpireForRotation.name, std::string(org_id),
                                std::string(old_key_id), grace_seconds);
    if (old.empty()) return std::nullopt;  // committing nothing is the same as rolling back
    int64_t old_expires = old[0]["expires"].as<int64_t>();
    ApiKey k = InsertKey(tx, replacement, std::string(old_key_id));
    WriteAudit(tx, audit);
    return std::make_pair(std::move(k), old_expires);
  });
}

void PgApiKeyStore::TouchLastUsed(std::string_view key_id) {
  Execute(db_, sql::kApiKeyTouch, std::string(key_id));
}

}  // namespace oakgate::store::pg
