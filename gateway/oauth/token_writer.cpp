#include "gateway/oauth/token_writer.hpp"

#include <chrono>
#include <exception>
#include <string>
#include <utility>

#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::oauth {
namespace {

void ObserveBatch(size_t size, std::chrono::steady_clock::time_point started) {
  auto& m = observe::Metrics();
  m.GetHistogram("oakgate_token_batch_size", "client_credentials tokens written per commit", {},
                 observe::Histogram::SizeBounds())
      .Observe(static_cast<double>(size));
  m.GetHistogram("oakgate_token_batch_commit_seconds",
                 "Time to store and commit one batch of client_credentials tokens")
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

void Answer(TokenWriter::Done& done, std::optional<store::Issued> issued) {
  try {
    done(issued);
  } catch (const std::exception& e) {
    observe::Error("token answer failed", {{"detail", e.what()}});
  }
}

}  // namespace

TokenWriter::TokenWriter(store::TokenStore& tokens, size_t batch_size)
    : tokens_(tokens), batch_size_(batch_size == 0 ? 1 : batch_size), thread_([this] { Run(); }) {}

TokenWriter::~TokenWriter() { Stop(); }

bool TokenWriter::Submit(store::ClientCredentialsIssue issue, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    queue_.push_back(Pending{std::move(issue), std::move(done)});
  }
  cv_.notify_one();
  return true;
}

void TokenWriter::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TokenWriter::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything written
    std::vector<Pending> batch;
    size_t n = std::min(queue_.size(), batch_size_);
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    Write(batch, /*split=*/true);
    lock.lock();
  }
}

void TokenWriter::Write(std::vector<Pending>& batch, bool split) {
  std::vector<store::ClientCredentialsIssue> issues;
  issues.reserve(batch.size());
  for (const auto& p : batch) issues.push_back(p.issue);
  auto started = std::chrono::steady_clock::now();
  // A failure before the commit left nothing behind, so one retry on a fresh connection is
  // safe (a connection killed under us is the common case).
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      std::vector<store::Issued> issued = tokens_.IssueClientCredentials(issues);
      ObserveBatch(batch.size(), started);
      for (size_t i = 0; i < batch.size(); ++i) Answer(batch[i].done, issued[i]);
      return;
    } catch (const util::CommitInDoubt& e) {
      observe::Warn("token batch commit in doubt; resolving", {{"detail", e.what()}});
      // Each lookup runs on a fresh connection; the first that fails leaves the rest unknown.
      bool known = true;
      for (auto& p : batch) {
        std::optional<store::Issued> issued;
        try {
          if (known && tokens_.AccessTokenStored(p.issue.tokens.access_hash)) {
            issued = store::Issued{0, p.issue.tokens.access_ttl_seconds};
          }
        } catch (const std::exception& e2) {
          observe::Error("token batch unresolved", {{"detail", e2.what()}});
          known = false;
        }
        Answer(p.done, issued);
      }
      return;
    } catch (const util::ServiceUnavailable& e) {
      observe::Warn("token batch failed",
                    {{"detail", e.what()}, {"attempt", std::to_string(attempt + 1)}});
    } catch (const std::exception& e) {
      // Refused by the database: nothing was written. Alone, each request gets its own answer.
      if (split && batch.size() > 1) {
        observe::Warn("token batch refused; writing its tokens one by one",
                      {{"detail", e.what()}, {"size", std::to_string(batch.size())}});
        for (auto& p : batch) {
          std::vector<Pending> one;
          one.push_back(std::move(p));
          Write(one, /*split=*/false);
        }
        return;
      }
      observe::Error("token batch failed", {{"detail", e.what()}});
      break;
    }
  }
  for (auto& p : batch) Answer(p.done, std::nullopt);
}

}  // namespace oakgate::oauth
