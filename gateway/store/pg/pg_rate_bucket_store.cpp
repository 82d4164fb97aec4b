#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/store/pg/statements.hpp"

namespace oakgate::store::pg {

Lease PgRateBucketStore::TakeChunk(std::string_view agent_id, int64_t rate_per_minute,
                                   int64_t burst, int64_t chunk) {
  return db_.Guard([&] {
    // One statement, autocommitted: no BEGIN/COMMIT round trips around it.
    pqxx::nontransaction tx(db_.Connection());
    auto row = tx.exec_prepared1(sql::kRateBucketLease.name, std::string(agent_id), rate_per_minute,
                                 burst, chunk);
    Lease lease;
    lease.granted = row["granted"].as<int64_t>();
    lease.units = row["units"].as<int64_t>();
    return lease;
  });
}

}  // namespace oakgate::store::pg
