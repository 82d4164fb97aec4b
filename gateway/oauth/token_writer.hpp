#pragma once
// The group commits of the token endpoint (store/group_commit.hpp): a request hands what it
// would write to a writer thread and is answered once it is stored, so a busy token endpoint
// pays one round trip and one commit for many requests.
// - TokenWriter: client_credentials tokens (RFC 6749 §4.4), each with its family and audit
//   event. A commit in doubt is resolved by looking each token up.
// - RotationWriter: the common refresh (RFC 6749 §6): the presented token retired and its
//   children issued, in one statement for the batch (store::RotationStore::RotateBatch). A
//   commit in doubt is resolved by looking the new access tokens up, for a few seconds if the
//   database is on its way back, so a client's retry is never mistaken for reuse (PITFALLS 3).
#include <cstddef>
#include <functional>
#include <optional>

#include "gateway/store/group_commit.hpp"
#include "gateway/store/rotation_store.hpp"
#include "gateway/store/token_store.hpp"

namespace oakgate::oauth {

class TokenWriter {
 public:
  // The Issued once the token committed; nullopt when it was not stored (answer 503).
  using Done = std::function<void(std::optional<store::Issued>)>;

  // `tokens` runs on the writer thread's own database connection.
  TokenWriter(store::TokenStore& tokens, size_t batch_size = 64);
  TokenWriter(const TokenWriter&) = delete;
  TokenWriter& operator=(const TokenWriter&) = delete;

  // `done` runs on the writer thread. false (and `done` never runs) when stopping.
  bool Submit(store::ClientCredentialsIssue issue, Done done);
  // Writes what is queued, then joins the thread.
  void Stop() { committer_.Stop(); }

 private:
  store::GroupCommitter<store::ClientCredentialsIssue, store::Issued> committer_;
};

class RotationWriter {
 public:
  using Done = std::function<void(store::Outcome<store::Rotated>)>;

  // `rotations` runs on the writer thread's own database connection; `sleep` waits between
  // the lookups of a commit in doubt.
  RotationWriter(store::RotationStore& rotations, size_t batch_size = 64,
                 store::Sleeper sleep = store::SleepFor);
  RotationWriter(const RotationWriter&) = delete;
  RotationWriter& operator=(const RotationWriter&) = delete;

  // kStored with the rotation; kSkipped when the store left it out (nothing written: the
  // grant decides on fresh data); kNotStored or kUnknown when the database failed (503).
  // `done` runs on the writer thread. false (and `done` never runs) when stopping.
  bool Submit(store::RotationRequest request, Done done);
  // The same, waiting for the outcome (for a worker thread). kNotStored when stopping.
  store::Outcome<store::Rotated> Rotate(store::RotationRequest request);
  void Stop() { committer_.Stop(); }

 private:
  store::GroupCommitter<store::RotationRequest, store::Rotated> committer_;
};

}  // namespace oakgate::oauth
