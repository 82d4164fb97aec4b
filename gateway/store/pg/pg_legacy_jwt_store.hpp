#pragma once
#include "gateway/store/legacy_jwt_store.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {

class PgLegacyJwtStore : public LegacyJwtStore, private PgStore {
 public:
  using PgStore::PgStore;
  std::optional<LegacyUser> FindUser(std::string_view key) override;
  std::optional<Issued> Exchange(const LegacyExchange& exchange) override;
};

}  // namespace oakgate::store::pg
