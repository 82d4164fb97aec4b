#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/store/pg/statements.hpp"

namespace oakgate::store::pg {
namespace {

pqxx::binarystring Bytes(std::string_view s) { return pqxx::binarystring(std::string(s)); }

Resource FromRow(const pqxx::row& row) {
  Resource r;
  r.uri = row["uri"].as<std::string>();
  r.name = row["name"].as<std::string>();
  r.scopes = SplitWords(row["scopes"].as<std::string>(""));
  r.introspectors = SplitWords(row["introspectors"].as<std::string>(""));
  r.created_at = row["created"].as<int64_t>();
  return r;
}

}  // namespace

bool PgResourceStore::Create(const Resource& r) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    if (tx.exec_prepared(sql::kResourceCreate.name, r.uri, r.name, JoinWords(r.scopes)).empty()) {
      return false;
    }
    for (const auto& client : r.introspectors) {
      tx.exec_prepared(sql::kResourceIntrospectorAdd.name, r.uri, client);
    }
    tx.commit();
    return true;
  });
}

std::vector<Resource> PgResourceStore::List() {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    std::vector<Resource> out;
    for (const auto& row : tx.exec_prepared(sql::kResourceList.name)) out.push_back(FromRow(row));
    return out;
  });
}

std::vector<Resource> PgResourceStore::FindMany(const std::vector<std::string>& uris) {
  if (uris.empty()) return {};
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    std::vector<Resource> out;
    for (const auto& row : tx.exec_prepared(sql::kResourceFindMany.name, JoinWords(uris))) {
      out.push_back(FromRow(row));
    }
    return out;
  });
}

bool PgResourceStore::Delete(std::string_view uri) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    return tx.exec_prepared(sql::kResourceDelete.name, std::string(uri)).affected_rows() == 1;
  });
}

std::vector<std::string> PgResourceStore::AllScopes() {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    return SplitWords(tx.exec_prepared1(sql::kResourceAllScopes.name)[0].as<std::string>(""));
  });
}

int64_t PgRegistrationStore::CreateToken(std::string_view token_hash, std::string_view name,
                                         int64_t ttl_seconds) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    return tx
        .exec_prepared1(sql::kRegistrationTokenCreate.name, Bytes(token_hash), std::string(name),
                        ttl_seconds)[0]
        .as<int64_t>();
  });
}

std::optional<std::string> PgRegistrationStore::FindActiveToken(std::string_view token_hash) {
  return db_.Guard([&]() -> std::optional<std::string> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kRegistrationTokenFind.name, Bytes(token_hash));
    if (r.empty()) return std::nullopt;
    return pqxx::binarystring(r[0][0]).str();
  });
}

RegistrationAttempts PgRegistrationStore::RecordAttempt(std::string_view client_address,
                                                        int64_t window_seconds, int64_t limit) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    auto row = tx.exec_prepared1(sql::kRegistrationAttempt.name, std::string(client_address),
                                 window_seconds, limit);
    return RegistrationAttempts{row["allowed"].as<bool>(), row["retry"].as<int64_t>()};
  });
}

}  // namespace oakgate::store::pg
