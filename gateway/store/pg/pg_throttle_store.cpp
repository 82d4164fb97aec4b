#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {

LoginFailureCounts PgThrottleStore::CountLoginFailures(std::string_view account,
                                                       std::string_view client_address,
                                                       int64_t window_seconds) {
  return QueryRow(
      db_, sql::kLoginFailureCounts,
      [](const pqxx::row& row) {
        // The columns: pair, address and account counts, each followed by its retry.
        auto n = [&](int i) { return row[i].as<int64_t>(); };
        return LoginFailureCounts{n(0), n(2), n(4), n(1), n(3), n(5)};
      },
      std::string(account), std::string(client_address), window_seconds);
}

void PgThrottleStore::RecordLoginFailure(std::string_view account,
                                         std::string_view client_address) {
  Execute(db_, sql::kLoginFailureRecord, std::string(account), std::string(client_address));
}

void PgThrottleStore::ClearLoginFailures(std::string_view account,
                                         std::string_view client_address) {
  Execute(db_, sql::kLoginFailureClear, std::string(account), std::string(client_address));
}

ClientAuthFailureCounts PgThrottleStore::CountClientAuthFailures(std::string_view client_id,
                                                                 std::string_view client_address,
                                                                 int64_t window_seconds) {
  return QueryRow(
      db_, sql::kClientAuthFailureCounts,
      [](const pqxx::row& row) {
        // The columns: client and address counts, each followed by its retry.
        auto n = [&](int i) { return row[i].as<int64_t>(); };
        return ClientAuthFailureCounts{n(0), n(2), n(1), n(3)};
      },
      std::string(client_id), std::string(client_address), window_seconds);
}

void PgThrottleStore::RecordClientAuthFailure(std::string_view client_id,
                                              std::string_view client_address) {
  Execute(db_, sql::kClientAuthFailureRecord, std::string(client_id), std::string(client_address));
}

}  // namespace oakgate::store::pg
