#pragma once
// The decision log's group commit (CONTRACT §6: every decision is durable before its answer
// is sent), on the generic one (store/group_commit.hpp). Requests hand their decision to the writer
// threads (one by default), each with its own database connection. A free writer takes everything
// queued (up to a batch) and inserts it in one statement: at once, or, with a `delay`, when the
// batch is full or its first decision has waited that long. What arrives during a commit forms the
// next batch. With several writers, the next one gathers it while the first waits for its flush, so
// flushes overlap instead of queueing. Each request learns whether its decision committed;
// a request whose batch failed must answer 503.
//
// Answers leave the writers: a writer hands its batch's outcomes to the answer thread and
// goes on to the next batch at once, so building and queueing the replies is not part of
// the commit cycle that every waiting request pays for.
//
// Rate-limited requests and those over their organization's monthly limit are only counted
// (per agent and minute) and flushed by the first writer about twice a second, so a flood of
// refused requests costs no write each. The counts, and every batch of decisions, also go to
// the usage counters per organization, agent and day (CONTRACT §9), in the same statement:
// the usage page and the monthly limit read those, never the decision log.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/store/database.hpp"
#include "gateway/store/group_commit.hpp"

namespace oakgate::policy {

// Counts a decision for /metrics: outcome "allowed", "denied", "rate_limited" or
// "quota_exceeded"; reason from the contract's fixed set ("" for none).
void CountDecision(std::string_view outcome, std::string_view reason);

struct DecisionWriterOptions {
  size_t batch_size = 64;
  std::chrono::milliseconds delay{0};
  std::chrono::milliseconds counts_interval{500};
  // Threads, each with its own connection and at most one batch in flight. With one, batches
  // commit in the order their decisions' seq values were drawn.
  size_t writers = 1;
};

class DecisionWriter {
 public:
  // `decisions` runs on each writer thread's own database connection.
  DecisionWriter(store::DecisionStore& decisions, DecisionWriterOptions options);
  ~DecisionWriter();
  DecisionWriter(const DecisionWriter&) = delete;
  DecisionWriter& operator=(const DecisionWriter&) = delete;

  // The future becomes true once the decision has committed, false when it was not
  // recorded (the batch failed, or the writer is stopping).
  std::future<bool> Submit(store::DecisionRecord record);
  // The same, without a waiting thread: `done` runs on the answer thread with the outcome.
  // false (and `done` never runs) when the writer is stopping.
  bool SubmitAsync(store::DecisionRecord record, std::function<void(bool committed)> done);
  void CountRateLimited(const std::string& agent_id, int64_t unix_seconds);
  void CountQuotaExceeded(const std::string& agent_id, int64_t unix_seconds);
  // Writes what is queued, answers it, then joins the writer and answer threads.
  void Stop();

 private:
  using CountKey = std::pair<std::string, int64_t>;  // (agent_id, minute)
  struct Refused {
    int64_t rate_limited = 0;
    int64_t quota_exceeded = 0;
  };

  // The first writer's side work: the counts, when due (all of them when stopping).
  void FlushCounts(bool stopping);
  void WriteCounts(std::map<CountKey, Refused> counts, bool stopping);
  // The entry of (agent, minute) to add to, under counts_mutex_.
  Refused& CountFor(const std::string& agent_id, int64_t unix_seconds);

  store::DecisionStore& decisions_;
  DecisionWriterOptions options_;
  std::mutex counts_mutex_;
  std::map<CountKey, Refused> counts_;
  std::chrono::steady_clock::time_point counts_due_;
  // Last: its threads use the members above, so it is built after and stopped before them.
  store::GroupCommitter<store::DecisionRecord, bool> committer_;
};

}  // namespace oakgate::policy
