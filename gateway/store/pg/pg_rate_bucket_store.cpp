#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {

Lease PgRateBucketStore::TakeChunk(std::string_view agent_id, int64_t rate_per_minute,
                                   int64_t burst, int64_t chunk) {
  // One statement, autocommitted: no BEGIN/COMMIT round trips around it.
  return QueryRow(
      db_, sql::kRateBucketLease,
      [](const pqxx::row& row) {
        return Lease{row["granted"].as<int64_t>(), row["units"].as<int64_t>()};
      },
      std::string(agent_id), rate_per_minute, burst, chunk);
}

}  // namespace oakgate::store::pg
