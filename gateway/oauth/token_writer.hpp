#pragma once
// Group commit for client_credentials tokens (RFC 6749 §4.4), as the decision log does for
// decisions: a request hands its minted token to the writer thread and is answered once the
// token is stored. The thread, on its own database connection, takes everything queued (up
// to a batch) and stores it with one statement, so a busy token endpoint pays one round trip
// and one commit for many tokens; what arrives during a commit forms the next batch.
//
// A batch that the database refuses (say, one client was deleted meanwhile) is written again
// one token at a time, so one request cannot fail the others. A commit in doubt is resolved
// by looking each token up: only a token really stored is answered as issued.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "gateway/store/token_store.hpp"

namespace oakgate::oauth {

class TokenWriter {
 public:
  // The Issued once the token committed; nullopt when it was not stored (answer 503).
  using Done = std::function<void(std::optional<store::Issued>)>;

  // `tokens` runs on the writer thread's own database connection.
  TokenWriter(store::TokenStore& tokens, size_t batch_size = 64);
  ~TokenWriter();
  TokenWriter(const TokenWriter&) = delete;
  TokenWriter& operator=(const TokenWriter&) = delete;

  // `done` runs on the writer thread. false (and `done` never runs) when stopping.
  bool Submit(store::ClientCredentialsIssue issue, Done done);
  // Writes what is queued, then joins the thread.
  void Stop();

 private:
  struct Pending {
    store::ClientCredentialsIssue issue;
    Done done;
  };
  void Run();
  // Writes `batch` and answers each of its requests; `split` writes a refused batch again
  // one token at a time.
  void Write(std::vector<Pending>& batch, bool split);

  store::TokenStore& tokens_;
  size_t batch_size_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace oakgate::oauth
