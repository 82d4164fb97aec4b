#pragma once
// The periodic task that deletes expired codes, sessions, tokens, throttle rows, decisions
// and audit events (CONTRACT §7), and the same work run once by `oakgate prune`.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "gateway/config/config.hpp"
#include "gateway/store/database.hpp"

namespace oakgate::app {

store::PruneLimits PruneLimitsFrom(const config::Config& cfg);

// Runs rounds of small batches until nothing is left or max_rounds is reached; returns the
// totals per kind.
store::PruneCounts PruneUntilDone(store::MaintenanceStore& store, const store::PruneLimits& limits,
                                  int max_rounds);

class Pruner {
 public:
  // interval_seconds 0 disables the task.
  Pruner(store::Database& db, store::PruneLimits limits, int interval_seconds);
  ~Pruner();
  Pruner(const Pruner&) = delete;
  Pruner& operator=(const Pruner&) = delete;

 private:
  void Run();
  store::Database& db_;
  store::PruneLimits limits_;
  int interval_seconds_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace oakgate::app
