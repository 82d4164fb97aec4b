#pragma once
// store::RotationStore on PostgreSQL: one statement (kRefreshRotateBatch) for a batch of
// refresh rotations, on the calling thread's connection.
#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/rotation_store.hpp"

namespace oakgate::store::pg {

class PgRotationStore : public RotationStore {
 public:
  explicit PgRotationStore(PgDatabase& db) : db_(db) {}
  std::vector<std::optional<Rotated>> RotateBatch(
      const std::vector<RotationRequest>& batch) override;
  std::vector<std::optional<Rotated>> FindRotated(
      const std::vector<std::string>& access_hashes) override;

 private:
  PgDatabase& db_;
};

}  // namespace oakgate::store::pg
