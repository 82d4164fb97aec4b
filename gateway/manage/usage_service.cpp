#include "gateway/manage/usage_service.hpp"

#include "gateway/manage/agent_service.hpp"
#include "gateway/policy/monthly_quota.hpp"

namespace oakgate::manage {

Outcome<Usage> UsageService::Month(const Principal& who, const std::optional<std::string>& month) {
  if (auto e = MissingScope(who, kAgentsScope)) return util::Fail(*e);
  // Every member of the organization may read it (OrgService::Enter made the principal one).
  if (who.org_id.empty()) return NotFound("no such organization");
  std::optional<policy::MonthSpan> span =
      month ? policy::ParseMonth(*month) : policy::MonthOf(clock_.NowSeconds());
  if (!span) return Invalid("month", "month must be a month as YYYY-MM");
  Usage u;
  u.month = span->name;
  u.counters = usage_.Month(who.org_id, span->first_day);
  for (const store::AgentUsage& a : u.counters.agents) {
    u.totals.allowed += a.allowed;
    u.totals.denied += a.denied;
    u.totals.rate_limited += a.rate_limited;
    u.totals.quota_exceeded += a.quota_exceeded;
  }
  return u;
}

}  // namespace oakgate::manage
