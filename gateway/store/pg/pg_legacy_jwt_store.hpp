#pragma once
#include "gateway/store/legacy_jwt_store.hpp"

namespace oakgate::store::pg {

class PgDatabase;

class PgLegacyJwtStore : public LegacyJwtStore {
 public:
  explicit PgLegacyJwtStore(PgDatabase& db) : db_(db) {}
  std::optional<LegacyUser> FindUser(std::string_view key) override;
  std::optional<Issued> Exchange(const LegacyExchange& exchange) override;

 private:
  PgDatabase& db_;
};

}  // namespace oakgate::store::pg
