#pragma once
// The decision log of /v1/validate and the per-minute counts of rate-limited requests.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oakgate::store {

struct DecisionRecord {
  std::string id;  // uuid, chosen by the gateway so it is known before the insert
  // The agent's user ("" for an agent of a shared organization) and organization, as the
  // key's lookup saw them; the insert writes the agent's own at commit (the same: an agent
  // never changes organization).
  std::string user_id;
  std::string org_id;
  std::string agent_id;
  std::string key_id;
  std::string tool;
  std::string scope;
  bool allowed = false;
  std::optional<std::string> reason;
  std::optional<std::string> rule_id;
  std::optional<std::string> reasoning;
  bool reasoning_required = false;
  bool reasoning_provided = false;
  std::optional<std::string> context_json;
  std::string request_id;
  // The approval this decision asked for (pending) or used (CONTRACT §10).
  std::optional<std::string> approval_id;
  int64_t created_at = 0;  // filled when read
  int64_t seq = 0;         // filled when read
};

// Validations refused without a decision, counted per agent and minute: rate_limited
// (CONTRACT §6) and quota_exceeded (the organization's monthly limit, CONTRACT §9).
struct RefusalCount {
  std::string agent_id;
  int64_t minute = 0;  // Unix seconds, a multiple of 60
  int64_t rate_limited = 0;
  int64_t quota_exceeded = 0;
};

struct DecisionQuery {
  std::string org_id;
  std::optional<std::string> agent_id;
  std::optional<std::string> tool;
  std::optional<std::string> scope;
  std::optional<bool> allowed;
  std::optional<int64_t> from;    // inclusive, Unix seconds
  std::optional<int64_t> to;      // exclusive
  std::optional<int64_t> before;  // seq < before (the cursor)
  int64_t limit = 50;
};

// The dashboard summary: counts of today (since 00:00 UTC), this week (since Monday 00:00 UTC)
// and the last 24 hours by hour.
struct DecisionCount {
  bool allowed = false;
  std::string reason;  // "" when allowed
  int64_t today = 0;
  int64_t week = 0;
};
struct AgentActivity {
  std::string agent_id;
  std::string name;
  int64_t week = 0;
};
struct HourBucket {
  int64_t hour = 0;  // Unix seconds, a multiple of 3600
  int64_t allowed = 0;
  int64_t denied = 0;
};
struct DecisionSummary {
  std::vector<DecisionCount> counts;
  int64_t rate_limited_today = 0;
  int64_t rate_limited_week = 0;
  std::vector<AgentActivity> busiest;  // at most 5, busiest first
  int64_t now_hour = 0;                // the current hour (the chart's last bar)
  std::vector<HourBucket> hours;       // only hours with decisions
};

class DecisionStore {
 public:
  virtual ~DecisionStore() = default;
  // Inserts the batch in one transaction and commits; returns the ids inserted (a decision
  // whose agent was deleted meanwhile is left out). The same transaction adds the batch to
  // the usage counters of each (organization, day, agent). Throws util::CommitInDoubt when the
  // outcome of the commit is unknown, util::ServiceUnavailable on other database failures.
  virtual std::vector<std::string> InsertBatch(const std::vector<DecisionRecord>& batch) = 0;
  // Which of these ids are stored (to resolve a commit in doubt).
  virtual std::vector<std::string> FindExisting(const std::vector<std::string>& ids) = 0;
  // Adds the counts to the per-minute rate-limited counts and to the usage counters of the
  // agents' organizations, in one statement (an agent deleted meanwhile is left out).
  virtual void AddRefusals(const std::vector<RefusalCount>& counts) = 0;
  // Newest first (by seq).
  virtual std::vector<DecisionRecord> List(const DecisionQuery& query) = 0;
  // The organization's decision with this id, or nullopt (another organization's id too).
  virtual std::optional<DecisionRecord> Find(std::string_view org_id,
                                             std::string_view decision_id) = 0;
  virtual DecisionSummary Summarize(std::string_view org_id) = 0;
};

}  // namespace oakgate::store
