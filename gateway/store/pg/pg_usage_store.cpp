#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

OrgLimits LimitsFromRow(const pqxx::row& row) {
  return OrgLimits{OptionalInt(row["max_agents"]), OptionalInt(row["monthly_decisions"])};
}

}  // namespace

std::optional<OrgLimits> PgUsageStore::Limits(std::string_view org_id) {
  return QueryOne(db_, sql::kOrgLimits, LimitsFromRow, std::string(org_id));
}

MonthUsage PgUsageStore::Month(std::string_view org_id, std::string_view month) {
  std::string org(org_id), first(month);
  // One snapshot for the three reads (repeatable read), so totals, agents and days agree.
  using Snapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;
  return Transact<Snapshot>(db_, [&](Snapshot& tx) {
    MonthUsage m;
    auto limits = tx.exec_prepared(sql::kOrgLimits.name, org);
    if (!limits.empty()) m.limits = LimitsFromRow(limits[0]);
    for (const auto& row : tx.exec_prepared(sql::kUsageAgents.name, org, first)) {
      m.agents.push_back({row["agent_id"].as<std::string>(), row["allowed"].as<int64_t>(),
                          row["denied"].as<int64_t>(), row["rate_limited"].as<int64_t>(),
                          row["quota_exceeded"].as<int64_t>()});
    }
    for (const auto& row : tx.exec_prepared(sql::kUsageDays.name, org, first)) {
      m.days.push_back({row["date"].as<std::string>(), row["allowed"].as<int64_t>(),
                        row["denied"].as<int64_t>()});
    }
    return m;
  });
}

QuotaLease PgUsageStore::LeaseMonthly(std::string_view org_id, std::string_view month,
                                      int64_t limit, int64_t block) {
  // One statement, autocommitted: no BEGIN/COMMIT round trips around it.
  return QueryRow(
      db_, sql::kQuotaLease,
      [](const pqxx::row& row) {
        return QuotaLease{row["granted"].as<int64_t>(), row["leased"].as<int64_t>()};
      },
      std::string(org_id), std::string(month), limit, block);
}

}  // namespace oakgate::store::pg
