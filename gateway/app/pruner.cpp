#include "gateway/app/pruner.hpp"

#include <chrono>
#include <exception>

#include "gateway/observe/log.hpp"
#include "gateway/observe/unexpected.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::app {
namespace {

// A periodic round deletes at most this many batches per table, so one tick never turns
// into a long job while the gateway serves.
constexpr int kRoundsPerTick = 10;

}  // namespace

store::PruneLimits PruneLimitsFrom(const config::Config& cfg) {
  store::PruneLimits l;
  l.decision_retention_days = cfg.decision_retention_days;
  l.audit_retention_days = cfg.audit_retention_days;
  l.registered_client_unused_ttl = cfg.registration_unused_ttl;
  l.registration_window = cfg.registration_window;
  return l;
}

store::PruneCounts PruneUntilDone(store::MaintenanceStore& store, const store::PruneLimits& limits,
                                  int max_rounds) {
  store::PruneCounts total;
  for (int round = 0; round < max_rounds; ++round) {
    store::PruneCounts counts = store.PruneOnce(limits);
    bool more = false;
    for (size_t i = 0; i < counts.size(); ++i) {
      if (total.size() <= i) total.emplace_back(counts[i].first, 0);
      total[i].second += counts[i].second;
      more = more || counts[i].second >= limits.batch;
    }
    if (!more) break;
  }
  return total;
}

Pruner::Pruner(store::Database& db, store::PruneLimits limits, int interval_seconds)
    : db_(db), limits_(limits), interval_seconds_(interval_seconds) {
  if (interval_seconds_ > 0) {
    observe::UnexpectedExceptions("pruner");  // the series shows 0 until the first
    thread_ = std::thread([this] { Run(); });
  }
}

Pruner::~Pruner() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Pruner::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::seconds(interval_seconds_), [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    try {
      int64_t removed = 0;
      for (const auto& [what, n] : PruneUntilDone(db_.Maintenance(), limits_, kRoundsPerTick)) {
        removed += n;
      }
      if (removed > 0) observe::Info("pruned", {{"rows", std::to_string(removed)}});
    } catch (const util::ServiceUnavailable& e) {
      // The database may be down; the next tick tries again.
      observe::Warn("prune failed", {{"detail", e.what()}});
    } catch (...) {
      // Anything else is a bug; the next tick tries again all the same.
      observe::ReportUnexpected("pruner", std::current_exception());
    }
    lock.lock();
  }
}

}  // namespace oakgate::app
