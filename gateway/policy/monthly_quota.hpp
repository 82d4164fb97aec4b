#pragma once
// The monthly decision limit of an organization (CONTRACT §9), held across gateway instances
// the way the rate limit is (shared_rate_limiter.hpp): the month's allowance lives in
// PostgreSQL, one row per organization and month (store::UsageStore::LeaseMonthly), and each
// instance leases small blocks of it, so most validations take a unit from memory and only one
// in a block costs a statement. An organization without a limit costs nothing but a lookup in
// the cache of limits.
//
// Why the total holds: a decision is recorded only with a unit leased by one atomic statement,
// and the statement never hands out more than the limit, so all instances together record at
// most the limit. The error goes one way only, towards refusing: units an instance holds and
// does not spend (it stops, the month ends, the limit changes) are lost, at most a block per
// instance. BlockFor keeps a block at 1/500 of the limit, so five instances lose at most 1%.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/cache/invalidation.hpp"
#include "gateway/cache/live_map.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::policy {

// A calendar month in UTC.
struct MonthSpan {
  std::string name;       // YYYY-MM
  std::string first_day;  // YYYY-MM-01
  int64_t start = 0;      // Unix seconds of its first instant
  int64_t end = 0;        // Unix seconds of the next month's first instant
};
// The month holding `unix_seconds`.
MonthSpan MonthOf(int64_t unix_seconds);
// "YYYY-MM" (years 1970 to 9999); nullopt when malformed.
std::optional<MonthSpan> ParseMonth(std::string_view text);

// The units one lease asks for: 1/500 of the limit, between 1 and 1000.
int64_t BlockFor(int64_t monthly_limit);

struct QuotaAnswer {
  bool allowed = true;
  int64_t retry_after = 0;  // refused: seconds until the month ends
  bool took = false;        // a unit was taken (the organization has a limit)
};

// The monthly limit as /v1/validate takes from it (policy::Validator), so that the order of
// its checks is tested with a small fake.
class QuotaCheck {
 public:
  virtual ~QuotaCheck() = default;
  // One decision of `org_id`'s month at `now` (Unix seconds, the injected clock). May read
  // the database: throws util::ServiceUnavailable when it cannot answer.
  virtual QuotaAnswer Take(const std::string& org_id, int64_t now) = 0;
  // Memory only, for the reactor thread: the answer when no statement is needed, else nullopt.
  // A refusal takes nothing.
  virtual std::optional<QuotaAnswer> TryTake(const std::string& org_id, int64_t now) = 0;
  // Gives back a unit TryTake took, for a request that went on to the database path after all
  // (which takes its own). Never waits: a unit that cannot be given back at once is lost.
  virtual void GiveBack(const std::string& org_id, int64_t now) = 0;
};

// The organizations' monthly limits, a minute at most each; `oakgate org set-limits` (any
// change of organizations.monthly_decisions or max_agents, and a deletion) arrives through
// the invalidation bus as "org:<id>" from every instance (sql/0013_monthly_quota.sql).
class OrgLimitsCache {
 public:
  OrgLimitsCache(cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity,
                 int64_t ttl_seconds);
  // Memory only: the monthly limit (its inner nullopt: none) when cached. Counts hits only
  // (the database path follows a miss and counts it).
  std::optional<std::optional<int64_t>> Find(std::string_view org_id);
  // The same, else read from `db`'s usage store and kept unless an invalidation arrived while
  // it was read. An organization that does not exist has no limit.
  std::optional<int64_t> GetOrLoad(std::string_view org_id, store::Database& db);
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string org_id;
    std::optional<int64_t> monthly_decisions;
  };
  void Evict(const cache::Invalidation& inv);
  const util::Clock& clock_;
  const int64_t ttl_;
  cache::LiveMap<Entry> entries_;
};

// One lease state per organization with a limit. Requests of different organizations never
// wait for each other; those of one organization wait while one of them leases (otherwise
// each would lease its own block).
class MonthlyQuota : public QuotaCheck {
 public:
  // `db` runs the leases on the calling thread's connection.
  MonthlyQuota(store::Database& db, OrgLimitsCache& limits, cache::InvalidationBus& bus);
  QuotaAnswer Take(const std::string& org_id, int64_t now) override;
  std::optional<QuotaAnswer> TryTake(const std::string& org_id, int64_t now) override;
  void GiveBack(const std::string& org_id, int64_t now) override;

 private:
  struct Org {
    std::mutex mutex;
    // Bumped by an invalidation of the organization: what is held was leased under limits
    // that may have changed, so it is dropped at the next take.
    std::atomic<uint64_t> epoch{0};
    // Guarded by mutex:
    std::string month;  // first_day of the month the state is about
    uint64_t epoch_seen = 0;
    int64_t held = 0;        // leased units not yet spent
    bool exhausted = false;  // the month's allowance is all handed out
  };
  Org* OrgFor(const std::string& org_id);
  // True when `o` (locked) is about `span` under the current epoch.
  static bool Current(const Org& o, const MonthSpan& span);
  void Evict(const cache::Invalidation& inv);

  store::Database& db_;
  OrgLimitsCache& limits_;
  std::mutex mutex_;  // guards orgs_ only, never held during a statement
  std::unordered_map<std::string, std::unique_ptr<Org>> orgs_;
};

}  // namespace oakgate::policy
