#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/store/pg/statements.hpp"

namespace oakgate::store::pg {

void PgSessionStore::Create(std::string_view token_hash, std::string_view user_id,
                            int64_t ttl_seconds, int64_t idle_ttl_seconds,
                            std::string_view client_address, std::string_view user_agent) {
  db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    tx.exec_prepared(sql::kSessionCreate.name, pqxx::binarystring(std::string(token_hash)),
                     std::string(user_id), ttl_seconds, idle_ttl_seconds,
                     std::string(client_address), std::string(user_agent.substr(0, 512)));
    tx.commit();
  });
}

std::optional<Session> PgSessionStore::FindActive(std::string_view token_hash,
                                                  int64_t idle_ttl_seconds) {
  return db_.Guard([&]() -> std::optional<Session> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kSessionFindActive.name,
                              pqxx::binarystring(std::string(token_hash)), idle_ttl_seconds);
    if (r.empty()) return std::nullopt;
    Session s;
    s.id = r[0][0].as<int64_t>();
    s.user_id = r[0][1].as<std::string>();
    s.email = r[0][2].as<std::string>();
    s.is_admin = r[0][3].as<bool>();
    s.expires_at = r[0][4].as<int64_t>();
    return s;
  });
}

void PgSessionStore::End(std::string_view token_hash) {
  db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    tx.exec_prepared(sql::kSessionEnd.name, pqxx::binarystring(std::string(token_hash)));
  });
}

std::vector<SessionInfo> PgSessionStore::ListForUser(std::string_view user_id) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    std::vector<SessionInfo> out;
    for (const auto& row : tx.exec_prepared(sql::kSessionListForUser.name, std::string(user_id))) {
      out.push_back({row["id"].as<int64_t>(), row["created"].as<int64_t>(),
                     row["last_seen"].as<int64_t>(), row["expires"].as<int64_t>(),
                     row["client_address"].as<std::string>(), row["user_agent"].as<std::string>()});
    }
    return out;
  });
}

bool PgSessionStore::EndForUser(std::string_view user_id, int64_t session_id,
                                const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kSessionEndForUser.name, std::string(user_id), session_id);
    if (r.affected_rows() != 1) return false;
    WriteAudit(tx, audit);
    tx.commit();
    return true;
  });
}

void PgSessionStore::PutReveal(int64_t session_id, std::string_view key_id,
                               std::string_view sealed) {
  db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    tx.exec_prepared(sql::kRevealDropStale.name, session_id);
    tx.exec_prepared(sql::kRevealPut.name, session_id, std::string(key_id),
                     pqxx::binarystring(std::string(sealed)));
    tx.commit();
  });
}

std::optional<std::string> PgSessionStore::TakeReveal(int64_t session_id, std::string_view key_id) {
  return db_.Guard([&]() -> std::optional<std::string> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kRevealTake.name, session_id, std::string(key_id));
    if (r.empty() || !r[0]["fresh"].as<bool>()) return std::nullopt;
    return pqxx::binarystring(r[0]["sealed"]).str();
  });
}

}  // namespace oakgate::store::pg
