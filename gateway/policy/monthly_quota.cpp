#include "gateway/policy/monthly_quota.hpp"

#include <algorithm>
#include <ctime>

#include "gateway/observe/metrics.hpp"

namespace oakgate::policy {
namespace {

std::string TwoDigits(int v) { return std::string(1, char('0' + v / 10)) + char('0' + v % 10); }

MonthSpan SpanOf(int year, int month) {  // month 1..12
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = 1;
  MonthSpan s;
  s.start = static_cast<int64_t>(timegm(&tm));
  tm = std::tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;  // December + 1 is January of the next year: timegm normalizes it
  tm.tm_mday = 1;
  s.end = static_cast<int64_t>(timegm(&tm));
  s.name = std::to_string(year) + "-" + TwoDigits(month);
  s.first_day = s.name + "-01";
  return s;
}

void CountLease(bool granted) {
  observe::Metrics()
      .GetCounter("oakgate_quota_leases_total",
                  "Statements that leased a block of an organization's monthly decision "
                  "allowance, by result: granted (some units), empty (none: the month is spent)",
                  {{"result", granted ? "granted" : "empty"}})
      .Inc();
}

}  // namespace

MonthSpan MonthOf(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return SpanOf(tm.tm_year + 1900, tm.tm_mon + 1);
}

std::optional<MonthSpan> ParseMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  int year = 0, month = 0;
  for (size_t i = 0; i < 7; ++i) {
    if (i == 4) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    (i < 4 ? year : month) = (i < 4 ? year : month) * 10 + (text[i] - '0');
  }
  if (year < 1970 || month < 1 || month > 12) return std::nullopt;
  return SpanOf(year, month);
}

int64_t BlockFor(int64_t monthly_limit) {
  return std::clamp<int64_t>(monthly_limit / 500, 1, 1000);
}

OrgLimitsCache::OrgLimitsCache(cache::InvalidationBus& bus, const util::Clock& clock,
                               size_t capacity, int64_t ttl_seconds)
    : clock_(clock), ttl_(ttl_seconds), entries_(bus, capacity, "org_limits") {
  bus.Subscribe([this](const cache::Invalidation& inv) { Evict(inv); });
}

std::optional<std::optional<int64_t>> OrgLimitsCache::Find(std::string_view org_id) {
  auto e = entries_.Get(org_id, clock_.NowSeconds(), /*count_miss=*/false);
  if (!e) return std::nullopt;
  return e->monthly_decisions;
}

std::optional<int64_t> OrgLimitsCache::GetOrLoad(std::string_view org_id, store::Database& db) {
  int64_t now = clock_.NowSeconds();
  auto e = entries_.GetOrLoad(
      org_id, now,
      [&]() -> std::optional<Entry> {
        auto limits = db.Usage().Limits(org_id);
        return Entry{limits ? limits->monthly_decisions : std::nullopt};
      },
      [this, now](const Entry&) {
        return cache::LiveMap<Entry>::Lifetime{now + ttl_, now};
      });
  return e->monthly_decisions;  // a load always has a value
}

void OrgLimitsCache::Evict(const cache::Invalidation& inv) {
  if (inv.subject == cache::Subject::kAll) {
    entries_.Clear();
  } else if (inv.subject == cache::Subject::kOrg) {
    entries_.Erase(inv.id);
  }
}

MonthlyQuota::MonthlyQuota(store::Database& db, OrgLimitsCache& limits, cache::InvalidationBus& bus)
    : db_(db), limits_(limits) {
  bus.Subscribe([this](const cache::Invalidation& inv) { Evict(inv); });
}

MonthlyQuota::Org* MonthlyQuota::OrgFor(const std::string& org_id) {
  std::lock_guard lock(mutex_);
  auto& slot = orgs_[org_id];
  if (!slot) slot = std::make_unique<Org>();
  return slot.get();  // entries are never erased, so the pointer outlives the lock
}

bool MonthlyQuota::Current(const Org& o, const MonthSpan& span) {
  return o.month == span.first_day && o.epoch_seen == o.epoch.load(std::memory_order_acquire);
}

QuotaAnswer MonthlyQuota::Take(const std::string& org_id, int64_t now) {
  std::optional<int64_t> limit = limits_.GetOrLoad(org_id, db_);
  if (!limit) return {};
  const MonthSpan span = MonthOf(now);
  Org* o = OrgFor(org_id);
  std::lock_guard lock(o->mutex);
  if (!Current(*o, span)) {
    // A new month, or the limits changed: what is held belonged to the old state. Dropped,
    // not returned: returning would need a statement, and a lost unit only refuses earlier.
    o->month = span.first_day;
    o->epoch_seen = o->epoch.load(std::memory_order_acquire);
    o->held = 0;
    o->exhausted = false;
  }
  if (o->held == 0 && !o->exhausted) {
    const int64_t block = BlockFor(*limit);
    store::QuotaLease lease = db_.Usage().LeaseMonthly(org_id, span.first_day, *limit, block);
    CountLease(lease.granted > 0);
    o->held = std::clamp<int64_t>(lease.granted, 0, block);
    // Less than a block: the statement handed out the last of the month. Asking again would
    // cost a statement per request to hear "none"; a raised limit arrives as an invalidation.
    o->exhausted = o->held < block;
  }
  if (o->held > 0) {
    --o->held;
    return {true, 0, true};
  }
  return {false, std::max<int64_t>(1, span.end - now), false};
}

std::optional<QuotaAnswer> MonthlyQuota::TryTake(const std::string& org_id, int64_t now) {
  std::optional<std::optional<int64_t>> limit = limits_.Find(org_id);
  if (!limit) return std::nullopt;  // not cached: the pool reads it
  if (!*limit) return QuotaAnswer{};
  const MonthSpan span = MonthOf(now);
  Org* o = OrgFor(org_id);
  std::unique_lock lock(o->mutex, std::try_to_lock);
  if (!lock || !Current(*o, span)) return std::nullopt;  // a lease is running, or is due
  if (o->held > 0) {
    --o->held;
    return QuotaAnswer{true, 0, true};
  }
  if (o->exhausted) return QuotaAnswer{false, std::max<int64_t>(1, span.end - now), false};
  return std::nullopt;
}

void MonthlyQuota::GiveBack(const std::string& org_id, int64_t now) {
  const MonthSpan span = MonthOf(now);
  Org* o = OrgFor(org_id);
  std::unique_lock lock(o->mutex, std::try_to_lock);
  if (lock && Current(*o, span)) ++o->held;
}

void MonthlyQuota::Evict(const cache::Invalidation& inv) {
  // On the listener thread: no wait for a lease, only the map's lock and atomic bumps.
  std::lock_guard lock(mutex_);
  if (inv.subject == cache::Subject::kAll) {
    for (auto& [id, o] : orgs_) o->epoch.fetch_add(1, std::memory_order_acq_rel);
  } else if (inv.subject == cache::Subject::kOrg) {
    auto it = orgs_.find(inv.id);
    if (it != orgs_.end()) it->second->epoch.fetch_add(1, std::memory_order_acq_rel);
  }
}

}  // namespace oakgate::policy
