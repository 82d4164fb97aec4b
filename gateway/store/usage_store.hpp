#pragma once
// An organization's usage (CONTRACT §9): the counters the decision log's group commit keeps per
// organization, agent, day (UTC) and outcome, read by the usage page; the operator's limits;
// and the shared allowance of the monthly decision limit, leased by every gateway instance.
// Nothing here reads `decisions`.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/org_store.hpp"

namespace oakgate::store {

struct AgentUsage {
  std::string agent_id;
  int64_t allowed = 0;
  int64_t denied = 0;
  int64_t rate_limited = 0;
  int64_t quota_exceeded = 0;
};

struct DayUsage {
  std::string date;  // YYYY-MM-DD (UTC)
  int64_t allowed = 0;
  int64_t denied = 0;
};

struct MonthUsage {
  OrgLimits limits;
  std::vector<AgentUsage> agents;  // by agent id; only agents with counts
  std::vector<DayUsage> days;      // every day of the month, in order
};

struct QuotaLease {
  int64_t granted = 0;  // decisions this instance may now record, at most the block asked
  int64_t leased = 0;   // the month's allowance handed out so far, by every instance
};

class UsageStore {
 public:
  virtual ~UsageStore() = default;
  // The organization's limits; nullopt when there is no such organization.
  virtual std::optional<OrgLimits> Limits(std::string_view org_id) = 0;
  // The counters of the month starting on `month` (YYYY-MM-01), with the limits, from one
  // snapshot.
  virtual MonthUsage Month(std::string_view org_id, std::string_view month) = 0;
  // One atomic statement on the organization's row of the month starting on `month`
  // (YYYY-MM-01): takes up to `block` decisions of the month's allowance `limit`. What was
  // handed out is at least the decisions the usage counters hold for the month (so a limit set
  // mid-month, or a month the previous release wrote to, starts from what was recorded), and
  // never grows past `limit`. Throws util::ServiceUnavailable when the database cannot answer.
  virtual QuotaLease LeaseMonthly(std::string_view org_id, std::string_view month, int64_t limit,
                                  int64_t block) = 0;
};

}  // namespace oakgate::store
