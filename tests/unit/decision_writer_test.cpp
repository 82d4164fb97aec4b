// The group commit of the decision log against a fake store: batches fill up to the batch
// size, a failed batch answers "not recorded" to each of its requests, and a commit in
// doubt answers "recorded" exactly for what is really stored.
#include "gateway/policy/decision_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <stdexcept>

#include "gateway/util/errors.hpp"

namespace oakgate::policy {
namespace {

using namespace std::chrono_literals;

class FakeDecisionStore : public store::DecisionStore {
 public:
  enum class Mode { kOk, kFail, kInDoubt };
  std::vector<std::string> InsertBatch(const std::vector<store::DecisionRecord>& batch) override {
    std::lock_guard lock(mutex);
    batch_sizes.push_back(batch.size());
    written.notify_all();
    if (mode == Mode::kFail) throw util::ServiceUnavailable("connection lost");
    std::vector<std::string> ids;
    for (const auto& d : batch) {
      // In doubt: pretend only the first of the batch made it before the connection died.
      if (mode == Mode::kInDoubt && !ids.empty()) break;
      ids.push_back(d.id);
      stored.push_back(d.id);
    }
    if (mode == Mode::kInDoubt) throw util::CommitInDoubt("connection lost during COMMIT");
    return ids;
  }
  std::vector<std::string> FindExisting(const std::vector<std::string>& ids) override {
    std::lock_guard lock(mutex);
    std::vector<std::string> out;
    for (const auto& id : ids) {
      if (std::find(stored.begin(), stored.end(), id) != stored.end()) out.push_back(id);
    }
    return out;
  }
  std::optional<store::DecisionRecord> Find(std::string_view, std::string_view) override {
    return std::nullopt;
  }
  store::DecisionSummary Summarize(std::string_view) override { return {}; }
  void AddRefusals(const std::vector<store::RefusalCount>& counts) override {
    std::lock_guard lock(mutex);
    for (const auto& c : counts) {
      if (c.rate_limited > 0) {
        rate_limited[c.agent_id + "@" + std::to_string(c.minute)] += c.rate_limited;
      }
      if (c.quota_exceeded > 0) {
        quota_exceeded[c.agent_id + "@" + std::to_string(c.minute)] += c.quota_exceeded;
      }
    }
  }
  std::vector<store::DecisionRecord> List(const store::DecisionQuery&) override { return {}; }

  std::mutex mutex;
  std::condition_variable written;  // notified on every InsertBatch
  Mode mode = Mode::kOk;
  std::vector<size_t> batch_sizes;
  std::vector<std::string> stored;
  std::map<std::string, int64_t> rate_limited;
  std::map<std::string, int64_t> quota_exceeded;
};

store::DecisionRecord Decision(int n) {
  store::DecisionRecord d;
  d.id = "id-" + std::to_string(n);
  d.agent_id = "agent";
  return d;
}

TEST(DecisionWriter, AFullBatchIsWrittenWithoutWaitingForTheDelay) {
  FakeDecisionStore db;
  DecisionWriter writer(db, {3, std::chrono::milliseconds(3600 * 1000), 500ms});
  std::vector<std::future<bool>> done;
  for (int i = 0; i < 6; ++i) done.push_back(writer.Submit(Decision(i)));
  for (auto& f : done) {
    ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
    EXPECT_TRUE(f.get());
  }
  std::lock_guard lock(db.mutex);
  EXPECT_EQ(db.batch_sizes, (std::vector<size_t>{3, 3}));
}

TEST(DecisionWriter, APartialBatchIsWrittenAfterTheDelay) {
  FakeDecisionStore db;
  DecisionWriter writer(db, {64, 5ms, 500ms});
  auto a = writer.Submit(Decision(1));
  auto b = writer.Submit(Decision(2));
  ASSERT_EQ(a.wait_for(10s), std::future_status::ready);
  ASSERT_EQ(b.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(a.get());
  EXPECT_TRUE(b.get());
}

TEST(DecisionWriter, AFailedBatchIsNotRecordedForAnyOfItsRequests) {
  FakeDecisionStore db;
  db.mode = FakeDecisionStore::Mode::kFail;
  DecisionWriter writer(db, {2, std::chrono::milliseconds(3600 * 1000), 500ms});
  auto a = writer.Submit(Decision(1));
  auto b = writer.Submit(Decision(2));
  EXPECT_FALSE(a.get());
  EXPECT_FALSE(b.get());
  std::lock_guard lock(db.mutex);
  EXPECT_EQ(db.batch_sizes.size(), 2u) << "one retry on a fresh connection";
}

TEST(DecisionWriter, ACommitInDoubtIsResolvedByLookingTheIdsUp) {
  FakeDecisionStore db;
  db.mode = FakeDecisionStore::Mode::kInDoubt;
  DecisionWriter writer(db, {2, std::chrono::milliseconds(3600 * 1000), 500ms});
  auto a = writer.Submit(Decision(1));
  auto b = writer.Submit(Decision(2));
  EXPECT_TRUE(a.get()) << "stored: answered as recorded";
  EXPECT_FALSE(b.get()) << "not stored: must not be answered";
}

// The writer hands outcomes to the answer thread and goes on: a reply that is slow to build
// (here, one that waits for the next commit) does not hold up the next batch. Answered on
// the writer thread, the first reply would wait out its 10 s for a batch that never comes.
TEST(DecisionWriter, ASlowAnswerDoesNotHoldUpTheNextCommit) {
  FakeDecisionStore db;
  std::promise<bool> next_written_first;
  auto first = next_written_first.get_future();
  DecisionWriter writer(db, {1, 0ms, 500ms});
  ASSERT_TRUE(writer.SubmitAsync(Decision(1), [&db, &next_written_first](bool committed) {
    std::unique_lock lock(db.mutex);
    bool next = db.written.wait_for(lock, 10s, [&db] { return db.batch_sizes.size() >= 2; });
    next_written_first.set_value(committed && next);
  }));
  auto second = writer.Submit(Decision(2));
  ASSERT_EQ(first.wait_for(20s), std::future_status::ready);
  EXPECT_TRUE(first.get()) << "the second batch was written while the first answer was pending";
  ASSERT_EQ(second.wait_for(20s), std::future_status::ready);
  EXPECT_TRUE(second.get());
}

// Stop answers everything it wrote before it returns.
TEST(DecisionWriter, StopAnswersEveryDecisionItWrote) {
  FakeDecisionStore db;
  std::atomic<int> answered{0};
  {
    DecisionWriter writer(db, {4, 0ms, 500ms});
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(writer.SubmitAsync(Decision(i), [&answered](bool committed) {
        if (committed) answered.fetch_add(1);
      }));
    }
    writer.Stop();
    EXPECT_EQ(answered.load(), 20);
    EXPECT_FALSE(writer.SubmitAsync(Decision(99), [&answered](bool) { answered.fetch_add(100); }));
  }
  EXPECT_EQ(answered.load(), 20);
}

TEST(DecisionWriter, RateLimitedRequestsAreCountedPerAgentAndMinuteAndFlushedOnStop) {
  FakeDecisionStore db;
  {
    DecisionWriter writer(db, {64, 1ms, std::chrono::milliseconds(3600 * 1000)});
    writer.CountRateLimited("a", 120);
    writer.CountRateLimited("a", 179);
    writer.CountRateLimited("a", 180);
    writer.CountRateLimited("b", 130);
  }
  std::lock_guard lock(db.mutex);
  EXPECT_EQ(db.rate_limited,
            (std::map<std::string, int64_t>{{"a@120", 2}, {"a@180", 1}, {"b@120", 1}}));
}

TEST(DecisionWriter, RequestsOverTheMonthlyLimitAreCountedApartFromRateLimitedOnes) {
  FakeDecisionStore db;
  {
    DecisionWriter writer(db, {64, 1ms, std::chrono::milliseconds(3600 * 1000)});
    writer.CountQuotaExceeded("a", 120);
    writer.CountQuotaExceeded("a", 150);
    writer.CountRateLimited("a", 130);
  }
  std::lock_guard lock(db.mutex);
  EXPECT_EQ(db.quota_exceeded, (std::map<std::string, int64_t>{{"a@120", 2}}));
  EXPECT_EQ(db.rate_limited, (std::map<std::string, int64_t>{{"a@120", 1}}));
}

// A store whose INSERT returns only once `want` batches are inside it at the same time (or
// after `patience`; once they were, none waits): with fewer writers than that, the batches
// can only run in turn.
class OverlapStore : public FakeDecisionStore {
 public:
  OverlapStore(int want, std::chrono::milliseconds patience) : want_(want), patience_(patience) {}
  std::vector<std::string> InsertBatch(const std::vector<store::DecisionRecord>& batch) override {
    {
      std::unique_lock lock(overlap_mutex_);
      most_ = std::max(most_, ++inside_);
      overlap_cv_.notify_all();
      overlap_cv_.wait_for(lock, patience_, [this] { return most_ >= want_; });
    }
    auto ids = FakeDecisionStore::InsertBatch(batch);
    std::lock_guard lock(overlap_mutex_);
    --inside_;
    return ids;
  }
  int most() {
    std::lock_guard lock(overlap_mutex_);
    return most_;
  }

 private:
  int want_, inside_ = 0, most_ = 0;
  std::chrono::milliseconds patience_;
  std::mutex overlap_mutex_;
  std::condition_variable overlap_cv_;
};

// Two one-decision batches through `writers` writers: how many were inside the store at
// once. Both decisions must be recorded either way.
int BatchesAtOnce(size_t writers, std::chrono::milliseconds patience) {
  OverlapStore db(2, patience);
  DecisionWriterOptions options;
  options.batch_size = 1;
  options.writers = writers;
  {
    DecisionWriter writer(db, options);
    auto a = writer.Submit(Decision(1));
    auto b = writer.Submit(Decision(2));
    EXPECT_TRUE(a.get());
    EXPECT_TRUE(b.get());
  }
  return db.most();
}

// Without overlap the first batch would wait out its patience alone, and then the second.
TEST(DecisionWriter, WritersCommitBatchesAtTheSameTime) { EXPECT_EQ(BatchesAtOnce(2, 5s), 2); }

TEST(DecisionWriter, OneWriterWritesInTurn) { EXPECT_EQ(BatchesAtOnce(1, 200ms), 1); }

TEST(DecisionWriter, AfterStopNothingIsAccepted) {
  FakeDecisionStore db;
  DecisionWriter writer(db, {64, 1ms, 500ms});
  writer.Stop();
  EXPECT_FALSE(writer.Submit(Decision(1)).get());
}

}  // namespace
}  // namespace oakgate::policy
