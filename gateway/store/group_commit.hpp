#pragma once
// One group commit for the writes that many requests make at once: client_credentials tokens,
// refresh rotations and decisions. A request hands its item to a writer thread and is answered
// once the item is durable. A free writer, on its own database connection, takes everything
// queued (up to a batch) and writes it with one statement and one commit: at once, or, with a
// `delay`, when the batch is full or its first item has waited that long. What arrives during
// a commit forms the next batch. With several writers, the next one gathers it while the first
// waits for its flush, so flushes overlap instead of queueing.
//
// Failures, and what each request learns (Outcome):
// - a failure before COMMIT (util::ServiceUnavailable) left nothing behind, so the batch is
//   tried again on a fresh connection (`write_attempts`), then answered kNotStored;
// - a batch the database refuses (any other exception: nothing was written) is written again
//   one item at a time, so one request cannot fail the others;
// - a commit in doubt (util::CommitInDoubt: the connection dropped during COMMIT) is resolved
//   by looking the items up (`resolve`, up to `resolve_attempts` times, `resolve_interval`
//   apart through the injected sleeper): each becomes kStored, kNotStored or kUnknown. Only
//   what is really stored is answered as stored (CONTRACT §4, PITFALLS 3).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::store {

// What a commit in doubt turned out to be for one item, once looked up.
enum class InDoubt { kStored, kNotStored, kUnknown };

// What became of one submitted item.
enum class Committed {
  kStored,     // committed; the value is set
  kSkipped,    // the batch committed without it: its statement left it out (a compare-and-set
               // lost, an agent deleted meanwhile)
  kNotStored,  // nothing was written for it: the batch failed, or was in doubt and had not
               // taken effect
  kUnknown,    // in doubt, and the lookups could not tell
};

template <typename Value>
struct Outcome {
  Committed status = Committed::kNotStored;
  std::optional<Value> value;  // with kStored
  bool stored() const { return status == Committed::kStored; }
};

template <typename Value>
struct Resolution {
  InDoubt state = InDoubt::kUnknown;
  std::optional<Value> value;  // with kStored
};

// Waits between attempts; unit tests pass one that records instead of sleeping.
using Sleeper = std::function<void(std::chrono::milliseconds)>;
inline void SleepFor(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

// Asks `lookup` what became of the items of a commit in doubt, again after `interval` while
// some are unknown (a lookup that throws leaves all of them unknown), `attempts` times at most.
template <typename Value, typename Lookup, typename Items>
std::vector<Resolution<Value>> ResolveInDoubt(const Lookup& lookup, const Items& items,
                                              size_t count, int attempts,
                                              std::chrono::milliseconds interval,
                                              const Sleeper& sleep) {
  std::vector<Resolution<Value>> out(count);
  for (int attempt = 0; attempt < std::max(attempts, 1); ++attempt) {
    if (attempt > 0) sleep(interval);
    try {
      out = lookup(items);
      if (out.size() != count) throw std::logic_error("in-doubt lookup answered a short list");
    } catch (const std::exception& e) {
      observe::Warn("commit in doubt not resolved yet",
                    {{"detail", e.what()}, {"attempt", std::to_string(attempt + 1)}});
      out.assign(count, Resolution<Value>{});
    }
    bool unknown = false;
    for (const auto& r : out) unknown = unknown || r.state == InDoubt::kUnknown;
    if (!unknown) break;
  }
  return out;
}

struct GroupCommitOptions {
  std::string name = "group";   // in log lines: "<name> batch ..."
  std::string metric_prefix;    // "<prefix>_size", "_commit_seconds", "_failures_total"
  std::string items = "items";  // in the metrics' help texts
  size_t batch_size = 64;
  std::chrono::milliseconds delay{0};  // 0: write at once
  size_t writers = 1;  // threads, each with its own connection and one batch in flight
  int write_attempts = 2;
  int resolve_attempts = 1;
  std::chrono::milliseconds resolve_interval{250};
  // true: outcomes go to an answer thread, so building the replies is not part of the commit
  // cycle every waiting request pays for; false: answered on the writer thread.
  bool answer_thread = false;
  // Side work of the first writer on its connection (the decision log's rate-limited counts):
  // run between batches at most every `tick_interval`, and once more (stopping) on Stop.
  std::function<void(bool stopping)> tick;
  std::chrono::milliseconds tick_interval{500};
  Sleeper sleep = SleepFor;
};

template <typename Item, typename Value>
class GroupCommitter {
 public:
  using Done = std::function<void(Outcome<Value>)>;
  // Writes the batch with one commit on the calling thread's connection: an entry per item,
  // nullopt for an item its statement left out. Throws util::CommitInDoubt (outcome unknown),
  // util::ServiceUnavailable (nothing written, may be retried) or anything else (refused).
  using Write = std::function<std::vector<std::optional<Value>>(const std::vector<Item>&)>;
  // After a commit in doubt: an entry per item. May throw when it cannot be known now.
  using Lookup = std::function<std::vector<Resolution<Value>>(const std::vector<Item>&)>;

  GroupCommitter(Write write, Lookup lookup, GroupCommitOptions options)
      : write_(std::move(write)), lookup_(std::move(lookup)), options_(std::move(options)) {
    if (options_.batch_size == 0) options_.batch_size = 1;
    if (options_.writers == 0) options_.writers = 1;
    if (options_.write_attempts < 1) options_.write_attempts = 1;
    if (!options_.sleep) options_.sleep = SleepFor;
    if (options_.answer_thread) answerer_ = std::thread([this] { AnswerLoop(); });
    for (size_t i = 0; i < options_.writers; ++i) {
      threads_.emplace_back([this, i] { Run(i == 0 && options_.tick != nullptr); });
    }
  }
  ~GroupCommitter() { Stop(); }
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `item`; `done` runs once with its outcome (on a writer or the answer thread).
  // false, and `done` never runs, when stopping.
  bool Submit(Item item, Done done) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return false;
      queue_.push_back(Pending{std::move(item), std::move(done), Clock::now()});
    }
    cv_.notify_one();
    return true;
  }

  // Writes and answers what is queued, then joins the threads. Idempotent.
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    // The writers are gone, so every outcome is queued: the answer thread replies to all.
    {
      std::lock_guard lock(answer_mutex_);
      answers_stopping_ = true;
    }
    answer_cv_.notify_all();
    if (answerer_.joinable()) answerer_.join();
  }

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    Item item;
    Done done;
    Clock::time_point enqueued;
  };
  struct Answers {
    std::vector<Done> dones;
    std::vector<Outcome<Value>> outcomes;
  };

  void Run(bool ticks) {
    std::unique_lock lock(mutex_);
    auto next_tick = Clock::now() + options_.tick_interval;
    while (true) {
      if (queue_.empty()) {
        if (ticks && (stopping_ || Clock::now() >= next_tick)) {
          bool last = stopping_;
          lock.unlock();
          RunTick(last);
          lock.lock();
          if (last) return;
          next_tick = Clock::now() + options_.tick_interval;
          continue;
        }
        if (stopping_) return;
        auto ready = [this] { return stopping_ || !queue_.empty(); };
        if (ticks) {
          cv_.wait_until(lock, next_tick, ready);
        } else {
          cv_.wait(lock, ready);
        }
        continue;
      }
      // Wait until the batch is full or its oldest item has waited `delay` (another writer
      // may take the queue meanwhile: then start over).
      if (options_.delay.count() > 0 && !stopping_) {
        auto deadline = queue_.front().enqueued + options_.delay;
        cv_.wait_until(lock, deadline,
                       [this] { return stopping_ || queue_.size() >= options_.batch_size; });
        if (queue_.empty()) continue;
      }
      size_t n = std::min(queue_.size(), options_.batch_size);
      std::vector<Item> items;
      std::vector<Done> dones;
      items.reserve(n);
      dones.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        items.push_back(std::move(queue_.front().item));
        dones.push_back(std::move(queue_.front().done));
        queue_.pop_front();
      }
      if (!queue_.empty()) cv_.notify_one();  // what is left is the next free writer's
      lock.unlock();
      WriteBatch(std::move(items), std::move(dones), /*split=*/true);
      lock.lock();
    }
  }

  void RunTick(bool stopping) {
    try {
      options_.tick(stopping);
    } catch (const std::exception& e) {
      observe::Warn(options_.name + " side work failed", {{"detail", e.what()}});
    }
  }

  void WriteBatch(std::vector<Item> items, std::vector<Done> dones, bool split) {
    auto started = Clock::now();
    std::vector<Outcome<Value>> outcomes(items.size());  // kNotStored until known
    for (int attempt = 0; attempt < options_.write_attempts; ++attempt) {
      try {
        std::vector<std::optional<Value>> values = write_(items);
        if (values.size() != items.size()) {
          throw std::logic_error(options_.name + " batch answered a short list");
        }
        Observe(items.size(), started, true);
        for (size_t i = 0; i < items.size(); ++i) {
          if (values[i]) {
            outcomes[i] = Outcome<Value>{Committed::kStored, std::move(values[i])};
          } else {
            outcomes[i].status = Committed::kSkipped;
          }
        }
        Answer(std::move(dones), std::move(outcomes));
        return;
      } catch (const util::CommitInDoubt& e) {
        observe::Warn(options_.name + " batch commit in doubt; resolving",
                      {{"detail", e.what()}, {"size", std::to_string(items.size())}});
        auto resolved =
            ResolveInDoubt<Value>(lookup_, items, items.size(), options_.resolve_attempts,
                                  options_.resolve_interval, options_.sleep);
        for (size_t i = 0; i < items.size(); ++i) {
          switch (resolved[i].state) {
            case InDoubt::kStored:
              outcomes[i] = Outcome<Value>{Committed::kStored, std::move(resolved[i].value)};
              break;
            case InDoubt::kNotStored:
              outcomes[i].status = Committed::kNotStored;
              break;
            case InDoubt::kUnknown:
              outcomes[i].status = Committed::kUnknown;
              observe::Error(options_.name + " batch commit in doubt unresolved");
              break;
          }
        }
        Observe(items.size(), started, true);
        Answer(std::move(dones), std::move(outcomes));
        return;
      } catch (const util::ServiceUnavailable& e) {
        observe::Warn(options_.name + " batch failed",
                      {{"detail", e.what()}, {"attempt", std::to_string(attempt + 1)}});
      } catch (const std::exception& e) {
        // Refused by the database: nothing was written. Alone, each item gets its own answer.
        if (split && items.size() > 1) {
          observe::Warn(options_.name + " batch refused; writing its items one by one",
                        {{"detail", e.what()}, {"size", std::to_string(items.size())}});
          for (size_t i = 0; i < items.size(); ++i) {
            std::vector<Item> one;
            one.push_back(std::move(items[i]));
            std::vector<Done> its;
            its.push_back(std::move(dones[i]));
            WriteBatch(std::move(one), std::move(its), /*split=*/false);
          }
          return;
        }
        observe::Error(options_.name + " batch failed", {{"detail", e.what()}});
        break;
      }
    }
    Observe(items.size(), started, false);
    Answer(std::move(dones), std::move(outcomes));
  }

  void Observe(size_t size, Clock::time_point started, bool ok) {
    if (options_.metric_prefix.empty()) return;
    auto& m = observe::Metrics();
    m.GetHistogram(options_.metric_prefix + "_size", options_.items + " written per group commit",
                   {}, observe::Histogram::SizeBounds())
        .Observe(static_cast<double>(size));
    m.GetHistogram(options_.metric_prefix + "_commit_seconds",
                   "Time to write and commit one batch of " + options_.items)
        .Observe(std::chrono::duration<double>(Clock::now() - started).count());
    if (!ok) {
      m.GetCounter(options_.metric_prefix + "_failures_total",
                   "Batches of " + options_.items + " that could not be written (503 to each)")
          .Inc();
    }
  }

  void Answer(std::vector<Done> dones, std::vector<Outcome<Value>> outcomes) {
    if (!options_.answer_thread) {
      Reply(dones, outcomes);
      return;
    }
    {
      std::lock_guard lock(answer_mutex_);
      answers_.push_back(Answers{std::move(dones), std::move(outcomes)});
    }
    answer_cv_.notify_one();
  }

  void Reply(std::vector<Done>& dones, std::vector<Outcome<Value>>& outcomes) {
    for (size_t i = 0; i < dones.size(); ++i) {
      try {
        dones[i](std::move(outcomes[i]));
      } catch (const std::exception& e) {
        observe::Error(options_.name + " answer failed", {{"detail", e.what()}});
      }
    }
  }

  void AnswerLoop() {
    std::unique_lock lock(answer_mutex_);
    while (true) {
      answer_cv_.wait(lock, [this] { return answers_stopping_ || !answers_.empty(); });
      if (answers_.empty()) return;  // stopping, and every outcome answered
      Answers a = std::move(answers_.front());
      answers_.pop_front();
      lock.unlock();
      Reply(a.dones, a.outcomes);
      lock.lock();
    }
  }

  Write write_;
  Lookup lookup_;
  GroupCommitOptions options_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;

  std::mutex answer_mutex_;
  std::condition_variable answer_cv_;
  std::deque<Answers> answers_;
  bool answers_stopping_ = false;
  std::thread answerer_;
};

}  // namespace oakgate::store
