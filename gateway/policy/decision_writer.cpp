#include "gateway/policy/decision_writer.hpp"

#include <unordered_set>

#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::policy {
namespace {

// One group commit: how many decisions it carried and how long the INSERT and COMMIT took.
void ObserveBatch(size_t size, std::chrono::steady_clock::time_point started, bool ok) {
  auto& m = observe::Metrics();
  m.GetHistogram("oakgate_decision_batch_size", "Decisions written per group commit", {},
                 observe::Histogram::SizeBounds())
      .Observe(static_cast<double>(size));
  m.GetHistogram("oakgate_decision_batch_commit_seconds",
                 "Time to insert and commit one batch of decisions")
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!ok) {
    m.GetCounter("oakgate_decision_batch_failures_total",
                 "Decision batches that could not be written (their requests got 503)")
        .Inc();
  }
}

}  // namespace

void CountDecision(std::string_view outcome, std::string_view reason) {
  // Counts every answer. Bounded by the contract's outcomes × reasons.
  std::string key(outcome);
  key.push_back('\0');
  key.append(reason);
  observe::ResolvedPerThread(key, [&] {
    return &observe::Metrics().GetCounter(
        "oakgate_decisions_total", "Validation decisions by outcome and reason",
        {{"outcome", std::string(outcome)},
         {"reason", reason.empty() ? "none" : std::string(reason)}});
  })->Inc();
}

DecisionWriter::DecisionWriter(store::DecisionStore& decisions, DecisionWriterOptions options)
    : decisions_(decisions), options_(options) {
  if (options_.batch_size == 0) options_.batch_size = 1;
  if (options_.writers == 0) options_.writers = 1;
  answerer_ = std::thread([this] { Answer(); });
  for (size_t i = 0; i < options_.writers; ++i) {
    threads_.emplace_back([this, i] { Run(/*counts_too=*/i == 0); });
  }
}

DecisionWriter::~DecisionWriter() { Stop(); }

std::future<bool> DecisionWriter::Submit(store::DecisionRecord record) {
  std::promise<bool> done;
  std::future<bool> result = done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      done.set_value(false);
      return result;
    }
    queue_.push_back(
        Pending{std::move(record), std::move(done), std::chrono::steady_clock::now(), nullptr});
  }
  cv_.notify_one();
  return result;
}

bool DecisionWriter::SubmitAsync(store::DecisionRecord record, std::function<void(bool)> done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    queue_.push_back(
        Pending{std::move(record), {}, std::chrono::steady_clock::now(), std::move(done)});
  }
  cv_.notify_one();
  return true;
}

void DecisionWriter::CountRateLimited(const std::string& agent_id, int64_t unix_seconds) {
  std::lock_guard lock(mutex_);
  if (counts_.empty()) counts_due_ = std::chrono::steady_clock::now() + options_.counts_interval;
  counts_[{agent_id, unix_seconds - unix_seconds % 60}] += 1;
  // No notify: the writer wakes for the deadline it computes from counts_due_.
}

void DecisionWriter::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  // The writers are gone, so every outcome is queued: the answer thread replies to all of
  // them before it ends.
  {
    std::lock_guard lock(answer_mutex_);
    answers_stopping_ = true;
  }
  answer_cv_.notify_all();
  if (answerer_.joinable()) answerer_.join();
}

void DecisionWriter::Run(bool counts_too) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (queue_.empty()) {
      if (counts_too && !counts_.empty() &&
          (stopping_ || std::chrono::steady_clock::now() >= counts_due_)) {
        auto counts = std::move(counts_);
        counts_.clear();
        lock.unlock();
        WriteCounts(std::move(counts));
        lock.lock();
        continue;
      }
      if (stopping_) return;
      // Wake for a decision, for stop, or (polling at the counts interval) for counts that
      // became due.
      cv_.wait_for(lock, options_.counts_interval, [this] { return stopping_ || !queue_.empty(); });
      continue;
    }
    // Group commit: wait until the batch is full or the oldest decision has waited `delay`
    // (another writer may take the queue meanwhile: then start over).
    if (options_.delay.count() > 0) {
      auto deadline = queue_.front().enqueued + options_.delay;
      cv_.wait_until(lock, deadline,
                     [this] { return stopping_ || queue_.size() >= options_.batch_size; });
      if (queue_.empty()) continue;
    }
    std::vector<Pending> batch;
    size_t n = std::min(queue_.size(), options_.batch_size);
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    // What is left is the next free writer's.
    if (!queue_.empty()) cv_.notify_one();
    lock.unlock();
    WriteBatch(std::move(batch));
    lock.lock();
  }
}

void DecisionWriter::WriteBatch(std::vector<Pending> batch) {
  // The records move to the statement; each request is answered by its decision's id.
  std::vector<store::DecisionRecord> records;
  std::vector<std::string> ids;
  records.reserve(batch.size());
  ids.reserve(batch.size());
  for (auto& p : batch) {
    ids.push_back(p.record.id);
    records.push_back(std::move(p.record));
  }
  auto answer = [this, &batch, &ids](const std::vector<std::string>& stored) {
    std::unordered_set<std::string> ok(stored.begin(), stored.end());
    Outcome outcome{std::move(batch), std::vector<bool>(ids.size())};
    for (size_t i = 0; i < ids.size(); ++i) outcome.committed[i] = ok.count(ids[i]) > 0;
    {
      std::lock_guard lock(answer_mutex_);
      outcomes_.push_back(std::move(outcome));
    }
    answer_cv_.notify_one();
  };
  // A failure before COMMIT left nothing behind, so one retry on a fresh connection is safe
  // (a connection killed under us is the common case). A commit in doubt is resolved by
  // looking the ids up: only what is really stored is answered as recorded.
  auto started = std::chrono::steady_clock::now();
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      auto stored = decisions_.InsertBatch(records);
      ObserveBatch(batch.size(), started, true);
      answer(stored);
      return;
    } catch (const util::CommitInDoubt& e) {
      observe::Warn("decision batch commit in doubt", {{"detail", e.what()}});
      try {
        answer(decisions_.FindExisting(ids));
      } catch (const std::exception& e2) {
        observe::Error("decision batch unresolved", {{"detail", e2.what()}});
        answer({});
      }
      return;
    } catch (const util::ServiceUnavailable& e) {
      observe::Warn("decision batch failed",
                    {{"detail", e.what()}, {"attempt", std::to_string(attempt + 1)}});
    } catch (const std::exception& e) {
      observe::Error("decision batch failed", {{"detail", e.what()}});
      break;
    }
  }
  ObserveBatch(batch.size(), started, false);
  answer({});
}

void DecisionWriter::Answer() {
  std::unique_lock lock(answer_mutex_);
  while (true) {
    answer_cv_.wait(lock, [this] { return answers_stopping_ || !outcomes_.empty(); });
    if (outcomes_.empty()) return;  // stopping, and every outcome answered
    Outcome outcome = std::move(outcomes_.front());
    outcomes_.pop_front();
    lock.unlock();
    for (size_t i = 0; i < outcome.batch.size(); ++i) {
      auto& p = outcome.batch[i];
      if (p.callback) {
        try {
          p.callback(outcome.committed[i]);
        } catch (const std::exception& e) {
          observe::Error("decision answer failed", {{"detail", e.what()}});
        }
      } else {
        p.done.set_value(outcome.committed[i]);
      }
    }
    lock.lock();
  }
}

void DecisionWriter::WriteCounts(std::map<CountKey, int64_t> counts) {
  std::vector<store::RateLimitedCount> rows;
  for (const auto& [key, n] : counts) rows.push_back({key.first, key.second, n});
  try {
    decisions_.AddRateLimited(rows);
  } catch (const std::exception& e) {
    observe::Warn("rate-limited counts not written yet", {{"detail", e.what()}});
    std::lock_guard lock(mutex_);
    if (stopping_) return;  // nothing more to try with
    for (const auto& [key, n] : counts) counts_[key] += n;
    counts_due_ = std::chrono::steady_clock::now() + options_.counts_interval;
  }
}

}  // namespace oakgate::policy
