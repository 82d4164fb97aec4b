#pragma once
// An organization's usage of a month (CONTRACT §9, GET /api/v1/usage): its limits, the
// month's totals by outcome, per agent and per day, from the usage counters the decision
// log's group commit keeps (never a scan of the decisions). Any member may read it; it needs
// the scope `agents`, like the decisions it counts.
#include <optional>
#include <string>
#include <string_view>

#include "gateway/manage/domain_error.hpp"
#include "gateway/manage/principal.hpp"
#include "gateway/store/usage_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::manage {

struct UsageTotals {
  int64_t allowed = 0;
  int64_t denied = 0;
  int64_t rate_limited = 0;
  int64_t quota_exceeded = 0;
};

struct Usage {
  std::string month;  // YYYY-MM
  store::MonthUsage counters;
  UsageTotals totals;  // the sum over the agents
};

class UsageService {
 public:
  UsageService(store::UsageStore& usage, const util::Clock& clock) : usage_(usage), clock_(clock) {}
  // The principal's organization in `month` (YYYY-MM; absent: the current month, UTC, by the
  // injected clock). Invalid naming `month` when malformed.
  Outcome<Usage> Month(const Principal& who, const std::optional<std::string>& month);

 private:
  store::UsageStore& usage_;
  const util::Clock& clock_;
};

}  // namespace oakgate::manage
