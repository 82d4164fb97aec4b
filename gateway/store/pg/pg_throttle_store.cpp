#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/store/pg/statements.hpp"

namespace oakgate::store::pg {

LoginFailureCounts PgThrottleStore::CountLoginFailures(std::string_view account,
                                                       std::string_view client_address,
                                                       int64_t window_seconds) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    auto row = tx.exec_prepared1(sql::kLoginFailureCounts.name, std::string(account),
                                 std::string(client_address), window_seconds);
    LoginFailureCounts c;
    c.pair = row[0].as<int64_t>();
    c.pair_retry = row[1].as<int64_t>();
    c.address = row[2].as<int64_t>();
    c.address_retry = row[3].as<int64_t>();
    c.account = row[4].as<int64_t>();
    c.account_retry = row[5].as<int64_t>();
    return c;
  });
}

void PgThrottleStore::RecordLoginFailure(std::string_view account,
                                         std::string_view client_address) {
  db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    tx.exec_prepared(sql::kLoginFailureRecord.name, std::string(account),
                     std::string(client_address));
  });
}

void PgThrottleStore::ClearLoginFailures(std::string_view account,
                                         std::string_view client_address) {
  db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    tx.exec_prepared(sql::kLoginFailureClear.name, std::string(account),
                     std::string(client_address));
  });
}

ClientAuthFailureCounts PgThrottleStore::CountClientAuthFailures(std::string_view client_id,
                                                                 std::string_view client_address,
                                                                 int64_t window_seconds) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    auto row = tx.exec_prepared1(sql::kClientAuthFailureCounts.name, std::string(client_id),
                                 std::string(client_address), window_seconds);
    ClientAuthFailureCounts c;
    c.client = row[0].as<int64_t>();
    c.client_retry = row[1].as<int64_t>();
    c.address = row[2].as<int64_t>();
    c.address_retry = row[3].as<int64_t>();
    return c;
  });
}

void PgThrottleStore::RecordClientAuthFailure(std::string_view client_id,
                                              std::string_view client_address) {
  db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    tx.exec_prepared(sql::kClientAuthFailureRecord.name, std::string(client_id),
                     std::string(client_address));
  });
}

}  // namespace oakgate::store::pg
