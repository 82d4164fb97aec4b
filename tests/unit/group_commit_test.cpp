// The generic group commit (store/group_commit.hpp) with a store made of lambdas: what queues
// during a commit goes out as one batch, an item the statement leaves out is answered
// skipped, a refused batch is written again item by item, a failure before COMMIT is retried
// once, and a commit in doubt ends stored, not stored or unknown for each item, from the
// lookups, which wait through the injected sleeper (so nothing here sleeps).
#include "gateway/store/group_commit.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "gateway/oauth/token_writer.hpp"
#include "gateway/util/errors.hpp"
#include "tests/unit/oauth_fakes.hpp"

namespace oakgate::store {
namespace {

using namespace std::chrono_literals;
using Committer = GroupCommitter<int, int>;

// Records the waits it is asked for instead of waiting.
struct RecordingSleeper {
  std::shared_ptr<std::vector<std::chrono::milliseconds>> waits =
      std::make_shared<std::vector<std::chrono::milliseconds>>();
  Sleeper fn() {
    auto w = waits;
    return [w](std::chrono::milliseconds d) { w->push_back(d); };
  }
};

GroupCommitOptions Options(size_t batch_size = 64) {
  GroupCommitOptions o;
  o.name = "test";
  o.batch_size = batch_size;
  return o;
}

std::future<Outcome<int>> Submit(Committer& c, int item) {
  auto done = std::make_shared<std::promise<Outcome<int>>>();
  auto answer = done->get_future();
  EXPECT_TRUE(c.Submit(item, [done](Outcome<int> o) { done->set_value(std::move(o)); }));
  return answer;
}

// Each item is stored as ten times itself.
std::vector<std::optional<int>> TimesTen(const std::vector<int>& batch) {
  std::vector<std::optional<int>> out;
  for (int i : batch) out.push_back(i * 10);
  return out;
}

std::vector<Resolution<int>> NeverAsked(const std::vector<int>&) {
  ADD_FAILURE() << "nothing was in doubt";
  return {};
}

TEST(GroupCommit, WhatQueuesDuringACommitGoesOutAsOneBatch) {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<size_t> sizes;
  bool release = false;
  Committer c(
      [&](const std::vector<int>& batch) {
        std::unique_lock lock(mutex);
        sizes.push_back(batch.size());
        cv.notify_all();
        cv.wait(lock, [&] { return release; });  // the first commit lasts until all queued
        return TimesTen(batch);
      },
      NeverAsked, Options());
  auto first = Submit(c, 1);
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return sizes.size() == 1; }));
  }
  std::vector<std::future<Outcome<int>>> rest;
  for (int i = 2; i <= 6; ++i) rest.push_back(Submit(c, i));
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  cv.notify_all();
  EXPECT_EQ(first.get().value, 10);
  for (size_t i = 0; i < rest.size(); ++i) {
    Outcome<int> o = rest[i].get();
    EXPECT_EQ(o.status, Committed::kStored);
    EXPECT_EQ(o.value, static_cast<int>(i + 2) * 10);  // its own value, in order
  }
  c.Stop();
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 5}));
}

TEST(GroupCommit, AnItemTheStatementLeavesOutIsSkippedAndTheOthersStored) {
  Committer c(
      [](const std::vector<int>& batch) {
        std::vector<std::optional<int>> out;
        for (int i : batch) out.push_back(i % 2 == 0 ? std::optional<int>(i) : std::nullopt);
        return out;
      },
      NeverAsked, Options());
  auto odd = Submit(c, 3);
  auto even = Submit(c, 4);
  EXPECT_EQ(odd.get().status, Committed::kSkipped);
  Outcome<int> e = even.get();
  EXPECT_TRUE(e.stored());
  EXPECT_EQ(e.value, 4);
}

TEST(GroupCommit, ARefusedBatchIsWrittenAgainOneItemAtATime) {
  std::mutex mutex;
  std::vector<size_t> sizes;
  std::promise<void> entered, gate;
  auto opened = gate.get_future().share();
  Committer c(
      [&](const std::vector<int>& batch) {
        {
          std::lock_guard lock(mutex);
          sizes.push_back(batch.size());
          if (sizes.size() == 1) entered.set_value();
        }
        opened.wait();
        for (int i : batch) {
          if (i < 0) throw std::runtime_error("violates a constraint");
        }
        return TimesTen(batch);
      },
      NeverAsked, Options());
  // While the first write is held, the other three queue up as one batch.
  auto a = Submit(c, 1);
  entered.get_future().wait();
  auto b = Submit(c, 2);
  auto bad = Submit(c, -1);
  auto d = Submit(c, 4);
  gate.set_value();
  EXPECT_TRUE(a.get().stored());
  EXPECT_TRUE(b.get().stored());
  EXPECT_EQ(bad.get().status, Committed::kNotStored);
  EXPECT_EQ(d.get().value, 40);
  c.Stop();
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 3, 1, 1, 1}));
}

TEST(GroupCommit, AFailureBeforeTheCommitIsTriedOnceMoreThenNotStored) {
  int calls = 0;
  Committer c(
      [&](const std::vector<int>&) -> std::vector<std::optional<int>> {
        ++calls;
        throw util::ServiceUnavailable("connection refused");
      },
      NeverAsked, Options());
  EXPECT_EQ(Submit(c, 1).get().status, Committed::kNotStored);
  c.Stop();
  EXPECT_EQ(calls, 2);
}

std::vector<std::optional<int>> InDoubt(const std::vector<int>&) {
  throw util::CommitInDoubt("connection lost during COMMIT");
}

TEST(GroupCommit, ACommitInDoubtIsStoredOrNotStoredAsTheLookupFinds) {
  RecordingSleeper sleeper;
  GroupCommitOptions o = Options();
  o.resolve_attempts = 5;
  o.sleep = sleeper.fn();
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  Committer c(
      [&](const std::vector<int>& batch) {
        opened.wait();
        return InDoubt(batch);
      },
      [](const std::vector<int>& batch) {
        std::vector<Resolution<int>> out;
        for (int i : batch) {
          out.push_back(i == 7 ? Resolution<int>{InDoubt::kStored, 70}
                               : Resolution<int>{InDoubt::kNotStored, std::nullopt});
        }
        return out;
      },
      o);
  auto kept = Submit(c, 7);
  auto lost = Submit(c, 8);
  gate.set_value();
  Outcome<int> k = kept.get();
  EXPECT_EQ(k.status, Committed::kStored);
  EXPECT_EQ(k.value, 70);
  EXPECT_EQ(lost.get().status, Committed::kNotStored);
  c.Stop();
  EXPECT_TRUE(sleeper.waits->empty()) << "known at the first lookup: no wait";
}

TEST(GroupCommit, ALookupThatFailsIsAskedAgainAfterTheIntervalUntilKnown) {
  RecordingSleeper sleeper;
  GroupCommitOptions o = Options();
  o.resolve_attempts = 5;
  o.resolve_interval = 250ms;
  o.sleep = sleeper.fn();
  int lookups = 0;
  Committer c(
      InDoubt,
      [&](const std::vector<int>&) -> std::vector<Resolution<int>> {
        if (++lookups < 3) throw util::ServiceUnavailable("still reconnecting");
        return {{InDoubt::kStored, 1}};
      },
      o);
  EXPECT_EQ(Submit(c, 1).get().status, Committed::kStored);
  c.Stop();
  EXPECT_EQ(lookups, 3);
  EXPECT_EQ(*sleeper.waits, (std::vector<std::chrono::milliseconds>{250ms, 250ms}));
}

TEST(GroupCommit, ACommitInDoubtThatNoLookupCanResolveIsUnknown) {
  RecordingSleeper sleeper;
  GroupCommitOptions o = Options();
  o.resolve_attempts = 3;
  o.sleep = sleeper.fn();
  int lookups = 0;
  Committer c(
      InDoubt,
      [&](const std::vector<int>&) -> std::vector<Resolution<int>> {
        ++lookups;
        throw util::ServiceUnavailable("database down");
      },
      o);
  EXPECT_EQ(Submit(c, 1).get().status, Committed::kUnknown);
  c.Stop();
  EXPECT_EQ(lookups, 3);
  EXPECT_EQ(sleeper.waits->size(), 2u);
}

TEST(GroupCommit, AnswersCanLeaveTheWriterForTheAnswerThread) {
  GroupCommitOptions o = Options(1);
  o.answer_thread = true;
  std::thread::id writer;
  Committer c(
      [&](const std::vector<int>& batch) {
        writer = std::this_thread::get_id();
        return TimesTen(batch);
      },
      NeverAsked, o);
  std::promise<std::thread::id> answered_on;
  ASSERT_TRUE(
      c.Submit(1, [&](Outcome<int>) { answered_on.set_value(std::this_thread::get_id()); }));
  std::thread::id answerer = answered_on.get_future().get();
  c.Stop();
  EXPECT_NE(answerer, writer);
}

TEST(GroupCommit, SideWorkRunsOnceMoreOnStopAndNothingIsAcceptedAfter) {
  GroupCommitOptions o = Options();
  o.tick_interval = std::chrono::milliseconds(3600 * 1000);
  std::vector<bool> ticks;
  o.tick = [&](bool stopping) { ticks.push_back(stopping); };
  Committer c(TimesTen, NeverAsked, o);
  EXPECT_TRUE(Submit(c, 1).get().stored());
  c.Stop();
  EXPECT_EQ(ticks, (std::vector<bool>{true}));
  EXPECT_FALSE(c.Submit(2, [](Outcome<int>) { ADD_FAILURE() << "answered after Stop"; }));
}

// The rotations' writer over the store: a commit in doubt is resolved by looking the new
// access tokens up, and asks again (through the sleeper) while the database cannot answer.
class FakeRotationStore : public RotationStore {
 public:
  std::function<std::vector<std::optional<Rotated>>(const std::vector<RotationRequest>&)> rotate;
  std::function<std::vector<std::optional<Rotated>>(const std::vector<std::string>&)> find;
  std::vector<std::optional<Rotated>> RotateBatch(
      const std::vector<RotationRequest>& batch) override {
    return rotate(batch);
  }
  std::vector<std::optional<Rotated>> FindRotated(const std::vector<std::string>& hashes) override {
    return find(hashes);
  }
};

RotationRequest Rotation(const std::string& access_hash) {
  RotationRequest r;
  r.presented_hash = "old-" + access_hash;
  r.client_id = "app";
  r.tokens.access_hash = access_hash;
  return r;
}

TEST(RotationWriter, ARotationInDoubtThatTookEffectIsAnsweredWithWhatItStored) {
  FakeRotationStore store;
  store.rotate = [](const std::vector<RotationRequest>&) -> std::vector<std::optional<Rotated>> {
    throw util::CommitInDoubt("connection lost during COMMIT");
  };
  std::vector<std::vector<std::string>> asked;
  store.find = [&](const std::vector<std::string>& hashes) {
    asked.push_back(hashes);
    std::vector<std::optional<Rotated>> out(hashes.size());
    out[0] = Rotated{Issued{12, 600}, {"keys"}, {}};
    return out;
  };
  RecordingSleeper sleeper;
  oauth::RotationWriter writer(store, 64, sleeper.fn());
  Outcome<Rotated> o = writer.Rotate(Rotation("new-access"));
  writer.Stop();
  ASSERT_EQ(o.status, Committed::kStored);
  EXPECT_EQ(o.value->issued.family_id, 12);
  EXPECT_EQ(o.value->scopes, (std::vector<std::string>{"keys"}));
  EXPECT_EQ(asked, (std::vector<std::vector<std::string>>{{"new-access"}}));
  EXPECT_TRUE(sleeper.waits->empty());
}

TEST(RotationWriter, ARotationInDoubtIsLookedUpForAboutFiveSecondsThenUnknown) {
  FakeRotationStore store;
  store.rotate = [](const std::vector<RotationRequest>&) -> std::vector<std::optional<Rotated>> {
    throw util::CommitInDoubt("connection lost during COMMIT");
  };
  int lookups = 0;
  store.find = [&](const std::vector<std::string>&) -> std::vector<std::optional<Rotated>> {
    ++lookups;
    throw util::ServiceUnavailable("connection refused");
  };
  RecordingSleeper sleeper;
  oauth::RotationWriter writer(store, 64, sleeper.fn());
  EXPECT_EQ(writer.Rotate(Rotation("a")).status, Committed::kUnknown);
  writer.Stop();
  EXPECT_EQ(lookups, 20);
  std::chrono::milliseconds waited{0};
  for (auto w : *sleeper.waits) waited += w;
  EXPECT_EQ(waited, 19 * 250ms);
}

TEST(RotationWriter, ARotationTheStoreLeavesOutIsSkippedAndOneNotInDoubtNeedsNoLookup) {
  FakeRotationStore store;
  store.rotate = [](const std::vector<RotationRequest>& batch) {
    return std::vector<std::optional<Rotated>>(batch.size());
  };
  store.find = [](const std::vector<std::string>&) -> std::vector<std::optional<Rotated>> {
    ADD_FAILURE() << "nothing was in doubt";
    return {};
  };
  oauth::RotationWriter writer(store, 64);
  EXPECT_EQ(writer.Rotate(Rotation("a")).status, Committed::kSkipped);
}

}  // namespace
}  // namespace oakgate::store
