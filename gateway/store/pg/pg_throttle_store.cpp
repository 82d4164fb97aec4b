#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

LoginFailureCounts ReadLoginCounts(const pqxx::row& row) {
  // The columns: pair, address and account counts, each followed by its retry.
  auto n = [&](int i) { return row[i].as<int64_t>(); };
  return LoginFailureCounts{n(0), n(2), n(4), n(1), n(3), n(5)};
}

ClientAuthFailureCounts ReadClientAuthCounts(const pqxx::row& row) {
  // The columns: client and address counts, each followed by its retry.
  auto n = [&](int i) { return row[i].as<int64_t>(); };
  return ClientAuthFailureCounts{n(0), n(2), n(1), n(3)};
}

// Holds both keys' locks until the transaction ends (kThrottleLock). The prefixes keep an
// account, an address and a client id that are spelled alike apart.
void LockKeys(pqxx::work& tx, const std::string& first, const std::string& second) {
  tx.exec_prepared(sql::kThrottleLock.name, first, second);
}

}  // namespace

bool PgThrottleStore::TryLoginAttempt(std::string_view account, std::string_view client_address,
                                      int64_t window_seconds, const AdmitLogin& admit) {
  return Transact(db_, [&](pqxx::work& tx) {
    LockKeys(tx, "login account " + std::string(account),
             "login address " + std::string(client_address));
    auto r = tx.exec_prepared(sql::kLoginFailureCounts.name, std::string(account),
                              std::string(client_address), window_seconds);
    if (!admit(ReadLoginCounts(r[0]))) return false;
    tx.exec_prepared(sql::kLoginFailureRecord.name, std::string(account),
                     std::string(client_address));
    return true;
  });
}

void PgThrottleStore::ClearLoginFailures(std::string_view account,
                                         std::string_view client_address) {
  Execute(db_, sql::kLoginFailureClear, std::string(account), std::string(client_address));
}

ClientAuthFailureCounts PgThrottleStore::CountClientAuthFailures(std::string_view client_id,
                                                                 std::string_view client_address,
                                                                 int64_t window_seconds) {
  return QueryRow(db_, sql::kClientAuthFailureCounts, ReadClientAuthCounts, std::string(client_id),
                  std::string(client_address), window_seconds);
}

void PgThrottleStore::RecordClientAuthFailure(std::string_view client_id,
                                              std::string_view client_address) {
  Execute(db_, sql::kClientAuthFailureRecord, std::string(client_id), std::string(client_address));
}

std::optional<int64_t> PgThrottleStore::TryClientAuthAttempt(std::string_view client_id,
                                                             std::string_view client_address,
                                                             int64_t window_seconds,
                                                             const AdmitClientAuth& admit) {
  return Transact(db_, [&](pqxx::work& tx) -> std::optional<int64_t> {
    LockKeys(tx, "client_auth client " + std::string(client_id),
             "client_auth address " + std::string(client_address));
    auto r = tx.exec_prepared(sql::kClientAuthFailureCounts.name, std::string(client_id),
                              std::string(client_address), window_seconds);
    if (!admit(ReadClientAuthCounts(r[0]))) return std::nullopt;
    auto id = tx.exec_prepared(sql::kClientAuthFailureRecord.name, std::string(client_id),
                               std::string(client_address));
    return id[0][0].as<int64_t>();
  });
}

void PgThrottleStore::ForgetClientAuthAttempt(int64_t attempt_id) {
  Execute(db_, sql::kClientAuthFailureForget, attempt_id);
}

}  // namespace oakgate::store::pg
