#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {

void PgSessionStore::Create(std::string_view token_hash, std::string_view user_id,
                            int64_t ttl_seconds, int64_t idle_ttl_seconds,
                            std::string_view client_address, std::string_view user_agent,
                            const AuditEvent& audit) {
  AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent&) {
    tx.exec_prepared(sql::kSessionCreate.name, Bytea(token_hash), std::string(user_id), ttl_seconds,
                     idle_ttl_seconds, std::string(client_address),
                     std::string(user_agent.substr(0, 512)));
    return WriteOutcome::kOk;
  });
}

std::optional<Session> PgSessionStore::FindActive(std::string_view token_hash,
                                                  int64_t idle_ttl_seconds) {
  return QueryOne(
      db_, sql::kSessionFindActive,
      [](const pqxx::row& row) {
        return Session{row[0].as<int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
                       row[3].as<bool>(), row[4].as<int64_t>()};
      },
      Bytea(token_hash), idle_ttl_seconds);
}

void PgSessionStore::End(std::string_view token_hash, const AuditEvent& audit) {
  AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent& event) {
    auto r = tx.exec_prepared(sql::kSessionEnd.name, Bytea(token_hash));
    if (r.empty()) return WriteOutcome::kNotFound;
    event.user_id = r[0][0].as<std::string>();
    event.actor = "user:" + event.user_id;
    event.subject = "session:" + r[0][1].as<std::string>();
    return WriteOutcome::kOk;
  });
}

std::vector<SessionInfo> PgSessionStore::ListForUser(std::string_view user_id) {
  return QueryAll(
      db_, sql::kSessionListForUser,
      [](const pqxx::row& row) {
        return SessionInfo{row["id"].as<int64_t>(),
                           row["created"].as<int64_t>(),
                           row["last_seen"].as<int64_t>(),
                           row["expires"].as<int64_t>(),
                           row["client_address"].as<std::string>(),
                           row["user_agent"].as<std::string>()};
      },
      std::string(user_id));
}

bool PgSessionStore::EndForUser(std::string_view user_id, int64_t session_id,
                                const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kSessionEndForUser, std::string(user_id), session_id) ==
         WriteOutcome::kOk;
}

void PgSessionStore::PutReveal(int64_t session_id, std::string_view key_id,
                               std::string_view sealed) {
  Transact(db_, [&](pqxx::work& tx) {
    tx.exec_prepared(sql::kRevealDropStale.name, session_id);
    tx.exec_prepared(sql::kRevealPut.name, session_id, std::string(key_id), Bytea(sealed));
  });
}

std::optional<std::string> PgSessionStore::TakeReveal(int64_t session_id, std::string_view key_id) {
  // Read and emptied in one statement, so two tabs cannot both show the key.
  auto taken = QueryOne(
      db_, sql::kRevealTake,
      [](const pqxx::row& row) -> std::optional<std::string> {
        if (!row["fresh"].as<bool>()) return std::nullopt;
        return pqxx::binarystring(row["sealed"]).str();
      },
      session_id, std::string(key_id));
  return taken.value_or(std::nullopt);
}

}  // namespace oakgate::store::pg
