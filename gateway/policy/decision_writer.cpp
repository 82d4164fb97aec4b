#include "gateway/policy/decision_writer.hpp"

#include <memory>
#include <optional>
#include <unordered_set>

#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::policy {
namespace {

store::GroupCommitOptions CommitOptions(const DecisionWriterOptions& o,
                                        std::function<void(bool)> tick) {
  store::GroupCommitOptions c;
  c.name = "decision";
  c.metric_prefix = "oakgate_decision_batch";
  c.items = "decisions";
  c.batch_size = o.batch_size;
  c.delay = o.delay;
  c.writers = o.writers;
  c.answer_thread = true;
  c.tick = std::move(tick);
  c.tick_interval = o.counts_interval;
  return c;
}

std::vector<std::string> IdsOf(const std::vector<store::DecisionRecord>& batch) {
  std::vector<std::string> ids;
  ids.reserve(batch.size());
  for (const auto& d : batch) ids.push_back(d.id);
  return ids;
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
    : decisions_(decisions),
      options_(options),
      committer_(
          // Each request is answered by its decision's id: one the statement left out (its
          // agent was deleted meanwhile) was not recorded.
          [this](const std::vector<store::DecisionRecord>& batch) {
            std::vector<std::string> stored = decisions_.InsertBatch(batch);
            std::unordered_set<std::string> ok(stored.begin(), stored.end());
            std::vector<std::optional<bool>> out(batch.size());
            for (size_t i = 0; i < batch.size(); ++i) {
              if (ok.count(batch[i].id) > 0) out[i] = true;
            }
            return out;
          },
          // A commit in doubt: only what is really stored is answered as recorded.
          [this](const std::vector<store::DecisionRecord>& batch) {
            std::vector<std::string> found = decisions_.FindExisting(IdsOf(batch));
            std::unordered_set<std::string> ok(found.begin(), found.end());
            std::vector<store::Resolution<bool>> out(batch.size());
            for (size_t i = 0; i < batch.size(); ++i) {
              if (ok.count(batch[i].id) > 0) {
                out[i] = {store::InDoubt::kStored, true};
              } else {
                out[i].state = store::InDoubt::kNotStored;
              }
            }
            return out;
          },
          CommitOptions(options, [this](bool stopping) { FlushCounts(stopping); })) {}

DecisionWriter::~DecisionWriter() { Stop(); }

std::future<bool> DecisionWriter::Submit(store::DecisionRecord record) {
  auto done = std::make_shared<std::promise<bool>>();
  std::future<bool> result = done->get_future();
  if (!committer_.Submit(std::move(record), [done](store::Outcome<bool> outcome) {
        done->set_value(outcome.stored());
      })) {
    done->set_value(false);
  }
  return result;
}

bool DecisionWriter::SubmitAsync(store::DecisionRecord record, std::function<void(bool)> done) {
  return committer_.Submit(
      std::move(record),
      [done = std::move(done)](store::Outcome<bool> outcome) { done(outcome.stored()); });
}

DecisionWriter::Refused& DecisionWriter::CountFor(const std::string& agent_id,
                                                  int64_t unix_seconds) {
  if (counts_.empty()) counts_due_ = std::chrono::steady_clock::now() + options_.counts_interval;
  // No notify: the first writer looks at the counts every counts_interval.
  return counts_[{agent_id, unix_seconds - unix_seconds % 60}];
}

void DecisionWriter::CountRateLimited(const std::string& agent_id, int64_t unix_seconds) {
  std::lock_guard lock(counts_mutex_);
  CountFor(agent_id, unix_seconds).rate_limited += 1;
}

void DecisionWriter::CountQuotaExceeded(const std::string& agent_id, int64_t unix_seconds) {
  std::lock_guard lock(counts_mutex_);
  CountFor(agent_id, unix_seconds).quota_exceeded += 1;
}

void DecisionWriter::Stop() { committer_.Stop(); }

void DecisionWriter::FlushCounts(bool stopping) {
  std::map<CountKey, Refused> counts;
  {
    std::lock_guard lock(counts_mutex_);
    if (counts_.empty()) return;
    if (!stopping && std::chrono::steady_clock::now() < counts_due_) return;
    counts = std::move(counts_);
    counts_.clear();
  }
  WriteCounts(std::move(counts), stopping);
}

void DecisionWriter::WriteCounts(std::map<CountKey, Refused> counts, bool stopping) {
  std::vector<store::RefusalCount> rows;
  for (const auto& [key, n] : counts) {
    rows.push_back({key.first, key.second, n.rate_limited, n.quota_exceeded});
  }
  try {
    decisions_.AddRefusals(rows);
  } catch (const std::exception& e) {
    observe::Warn("refused validations' counts not written yet", {{"detail", e.what()}});
    if (stopping) return;  // nothing more to try with
    std::lock_guard lock(counts_mutex_);
    for (const auto& [key, n] : counts) {
      Refused& r = counts_[key];
      r.rate_limited += n.rate_limited;
      r.quota_exceeded += n.quota_exceeded;
    }
    counts_due_ = std::chrono::steady_clock::now() + options_.counts_interval;
  }
}

}  // namespace oakgate::policy
