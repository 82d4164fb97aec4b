// The group commit of client_credentials tokens against a fake store: what queues during a
// commit goes out as one batch, a batch the database refuses is written again one token at a
// time, and a commit in doubt answers "issued" exactly for the tokens really stored.
#include "gateway/oauth/token_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "gateway/util/errors.hpp"
#include "tests/unit/oauth_fakes.hpp"

namespace oakgate::oauth {
namespace {

using namespace std::chrono_literals;

store::ClientCredentialsIssue Token(const std::string& client, const std::string& hash) {
  store::ClientCredentialsIssue t;
  t.client_id = client;
  t.tokens.access_hash = hash;
  t.tokens.access_ttl_seconds = 600;
  return t;
}

// Submits one token; the future holds its answer.
std::future<std::optional<store::Issued>> Submit(TokenWriter& writer,
                                                 store::ClientCredentialsIssue t) {
  auto done = std::make_shared<std::promise<std::optional<store::Issued>>>();
  auto answer = done->get_future();
  EXPECT_TRUE(writer.Submit(
      std::move(t), [done](std::optional<store::Issued> issued) { done->set_value(issued); }));
  return answer;
}

TEST(TokenWriter, WhatQueuesDuringACommitGoesOutAsOneBatch) {
  testing::FakeTokenStore store;
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<size_t> sizes;
  bool release = false;
  store.issue = [&](const std::vector<store::ClientCredentialsIssue>& batch) {
    std::unique_lock lock(mutex);
    sizes.push_back(batch.size());
    cv.notify_all();
    // The first commit lasts until the test has queued the others behind it.
    cv.wait(lock, [&] { return release; });
    std::vector<store::Issued> out;
    for (size_t i = 0; i < batch.size(); ++i) {
      out.push_back({static_cast<int64_t>(100 + i), batch[i].tokens.access_ttl_seconds});
    }
    return out;
  };
  TokenWriter writer(store, 64);
  auto first = Submit(writer, Token("svc", "h0"));
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return sizes.size() == 1; }));
  }
  std::vector<std::future<std::optional<store::Issued>>> rest;
  for (int i = 1; i <= 5; ++i)
    rest.push_back(Submit(writer, Token("svc", "h" + std::to_string(i))));
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  cv.notify_all();
  ASSERT_EQ(first.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(first.get()->expires_in, 600);
  for (size_t i = 0; i < rest.size(); ++i) {
    ASSERT_EQ(rest[i].wait_for(5s), std::future_status::ready);
    auto issued = rest[i].get();
    ASSERT_TRUE(issued);
    EXPECT_EQ(issued->family_id, static_cast<int64_t>(100 + i));  // its own row, in order
  }
  writer.Stop();
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 5}));
}

TEST(TokenWriter, ARefusedBatchIsWrittenAgainOneTokenAtATime) {
  testing::FakeTokenStore store;
  std::mutex mutex;
  std::vector<size_t> sizes;
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  store.issue = [&](const std::vector<store::ClientCredentialsIssue>& batch) {
    opened.wait();
    std::lock_guard lock(mutex);
    sizes.push_back(batch.size());
    for (const auto& t : batch) {
      // A client deleted meanwhile: its row breaks the foreign key, and the statement.
      if (t.client_id == "gone") throw std::runtime_error("violates foreign key constraint");
    }
    return std::vector<store::Issued>(batch.size(), store::Issued{7, 600});
  };
  TokenWriter writer(store, 64);
  // Held at the gate, the first write lets the other three queue up as one batch.
  auto a = Submit(writer, Token("svc", "a"));
  auto b = Submit(writer, Token("svc", "b"));
  auto c = Submit(writer, Token("gone", "c"));
  auto d = Submit(writer, Token("svc", "d"));
  gate.set_value();
  EXPECT_TRUE(a.get());
  EXPECT_TRUE(b.get());
  EXPECT_FALSE(c.get());
  EXPECT_TRUE(d.get());
  writer.Stop();
  std::lock_guard lock(mutex);
  ASSERT_GE(sizes.size(), 2u);
  EXPECT_GT(*std::max_element(sizes.begin(), sizes.end()), 1u);  // it did batch, then split
  EXPECT_EQ(sizes.back(), 1u);
}

TEST(TokenWriter, ACommitInDoubtAnswersIssuedOnlyForWhatIsStored) {
  testing::FakeTokenStore store;
  store.issue =
      [](const std::vector<store::ClientCredentialsIssue>&) -> std::vector<store::Issued> {
    throw util::CommitInDoubt("connection lost during COMMIT");
  };
  store.stored = [](std::string_view hash) { return hash == "kept"; };
  TokenWriter writer(store, 64);
  auto kept = Submit(writer, Token("svc", "kept"));
  auto lost = Submit(writer, Token("svc", "lost"));
  auto issued = kept.get();
  ASSERT_TRUE(issued);
  EXPECT_EQ(issued->expires_in, 600);
  EXPECT_FALSE(lost.get());
  writer.Stop();
  EXPECT_EQ(store.lookups, 2);
}

TEST(TokenWriter, AnUnavailableDatabaseAnswersNotIssuedAfterOneRetry) {
  testing::FakeTokenStore store;
  int calls = 0;
  store.issue =
      [&](const std::vector<store::ClientCredentialsIssue>&) -> std::vector<store::Issued> {
    ++calls;
    throw util::ServiceUnavailable("connection refused");
  };
  TokenWriter writer(store, 64);
  EXPECT_FALSE(Submit(writer, Token("svc", "x")).get());
  writer.Stop();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(store.lookups, 0);  // nothing was in doubt
}

TEST(TokenWriter, StopWritesWhatIsQueuedAndThenRefuses) {
  testing::FakeTokenStore store;
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  size_t written = 0;
  store.issue = [&](const std::vector<store::ClientCredentialsIssue>& batch) {
    opened.wait();
    written += batch.size();
    return std::vector<store::Issued>(batch.size(), store::Issued{1, 600});
  };
  TokenWriter writer(store, 2);
  std::vector<std::future<std::optional<store::Issued>>> answers;
  for (int i = 0; i < 5; ++i) answers.push_back(Submit(writer, Token("svc", std::to_string(i))));
  std::thread stopper([&] { writer.Stop(); });
  gate.set_value();
  stopper.join();
  for (auto& a : answers) EXPECT_TRUE(a.get());
  EXPECT_EQ(written, 5u);
  EXPECT_FALSE(writer.Submit(Token("svc", "late"), [](std::optional<store::Issued>) {}));
}

}  // namespace
}  // namespace oakgate::oauth
