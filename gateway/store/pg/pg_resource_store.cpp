#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

Resource FromRow(const pqxx::row& row) {
  return Resource{row["uri"].as<std::string>(), row["name"].as<std::string>(),
                  ListField(row["scopes"]), ListField(row["introspectors"]),
                  row["created"].as<int64_t>()};
}

}  // namespace

bool PgResourceStore::Create(const Resource& r) {
  return Transact(db_, [&](pqxx::work& tx) {
    if (tx.exec_prepared(sql::kResourceCreate.name, r.uri, r.name, util::JoinList(r.scopes))
            .empty()) {
      return false;  // the URI is taken; nothing was written
    }
    for (const auto& client : r.introspectors) {
      tx.exec_prepared(sql::kResourceIntrospectorAdd.name, r.uri, client);
    }
    return true;
  });
}

std::vector<Resource> PgResourceStore::List() { return QueryAll(db_, sql::kResourceList, FromRow); }

std::vector<Resource> PgResourceStore::FindMany(const std::vector<std::string>& uris) {
  if (uris.empty()) return {};
  return QueryAll(db_, sql::kResourceFindMany, FromRow, util::JoinList(uris));
}

bool PgResourceStore::Delete(std::string_view uri) {
  return Execute(db_, sql::kResourceDelete, std::string(uri)) == 1;
}

std::vector<std::string> PgResourceStore::AllScopes() {
  return QueryRow(db_, sql::kResourceAllScopes,
                  [](const pqxx::row& row) { return ListField(row[0]); });
}

int64_t PgRegistrationStore::CreateToken(std::string_view token_hash, std::string_view name,
                                         int64_t ttl_seconds) {
  return QueryRow(
      db_, sql::kRegistrationTokenCreate,
      [](const pqxx::row& row) { return row["expires"].as<int64_t>(); }, Bytea(token_hash),
      std::string(name), ttl_seconds);
}

std::optional<std::string> PgRegistrationStore::FindActiveToken(std::string_view token_hash) {
  return QueryOne(
      db_, sql::kRegistrationTokenFind,
      [](const pqxx::row& row) { return pqxx::binarystring(row[0]).str(); }, Bytea(token_hash));
}

RegistrationAttempts PgRegistrationStore::RecordAttempt(std::string_view client_address,
                                                        int64_t window_seconds, int64_t limit) {
  // Under the address's throttle lock (as login and client authentication, G3): the count of
  // kRegistrationAttempt sees only attempts committed before its statement began, so without
  // it concurrent attempts all read the same count and all get through.
  std::string address(client_address);
  return Transact(db_, [&](pqxx::work& tx) {
    tx.exec_prepared(sql::kThrottleLock.name, "registration address " + address,
                     "registration address " + address);
    auto row = tx.exec_prepared1(sql::kRegistrationAttempt.name, address, window_seconds, limit);
    return RegistrationAttempts{row["allowed"].as<bool>(), row["retry"].as<int64_t>()};
  });
}

}  // namespace oakgate::store::pg
