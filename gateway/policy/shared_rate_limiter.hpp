#pragma once
// The per-agent rate limit of /v1/validate (CONTRACT §6), held across gateway instances:
// the bucket lives in PostgreSQL (store::RateBucketStore) and each instance leases whole
// tokens from it in small chunks, so most requests take a token from memory and only one in
// `chunk` costs a statement.
//
// Why the total holds: every token a request spends was first taken from the shared bucket
// by one atomic statement, and a token is spent at most once, so all instances together
// admit at most burst + rate x time. The error goes one way only, towards refusing: tokens
// one instance holds are not available to another (at most chunk x instances at a time),
// and tokens not spent within kLeaseTtlMs are dropped rather than returned (at most
// chunk - 1 per instance and lease). ChunkFor keeps both small against burst and rate.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "gateway/policy/token_bucket.hpp"
#include "gateway/store/rate_bucket_store.hpp"

namespace oakgate::policy {

// How long leased tokens stay usable. Long enough that a busy agent spends its chunk, short
// enough that an idle instance does not sit on tokens another instance could use.
inline constexpr int64_t kLeaseTtlMs = 1000;
// Only the fastest limits reach it (rate/1200 >= 500 is 10,000 requests a second); there a
// lease every 500 requests keeps statements, and the requests that wait on the pool while one
// runs, rare.
inline constexpr int64_t kMaxChunk = 500;

// The tokens one lease asks for: at most 1/20 of the burst (so tokens held by other
// instances cost a full bucket at most 5% each) and at most 1/20 of what the rate refills
// in kLeaseTtlMs (so tokens dropped at expiry cost at most 5% of the rate each instance),
// between 1 and kMaxChunk. A chunk of 1 is a statement per admitted request, which for such
// a limit is at most rate/60000 statements a millisecond: the rate itself keeps it cheap.
int64_t ChunkFor(int64_t rate_per_minute, int64_t burst);

// What an instance knows about one agent's bucket.
struct LeaseState {
  int64_t tokens = 0;          // leased, not yet spent
  int64_t expires_ms = 0;      // local time after which `tokens` are dropped
  int64_t shared_units = 0;    // what the shared bucket held after the last lease
  int64_t shared_at_ms = 0;    // local time of the last lease
  int64_t empty_until_ms = 0;  // the shared bucket ran dry: no lease before this time
  bool leased = false;         // a lease has happened (shared_* mean something)
};

// Takes one token for a request at local time `now_ms`: from `state` when it holds one,
// else by leasing a chunk from `store` (one statement). After a lease that got less than a
// chunk, no statement is run until the time a whole chunk exists again, so an agent over its
// limit costs at most one statement per chunk the rate refills, however hard it hammers. Throws
// util::ServiceUnavailable when the store does (the request cannot be counted, so it must not be
// served). Remaining and reset are estimates: the shared bucket as last seen, refilled since by the
// rate, plus the tokens held here; other instances' spending is not visible until the next
// lease. `count_leases` false: the caller counts them in a metric of its own.
BucketAnswer TakeLeased(LeaseState& state, store::RateBucketStore& store,
                        const std::string& agent_id, int64_t rate_per_minute, int64_t burst,
                        int64_t now_ms, bool count_leases = true);

// An agent's bucket as /v1/validate takes from it (policy::Validator), so that the order of
// its checks is tested with a small fake.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // One token for a request at local time `now_ms` (monotonic milliseconds). Throws
  // util::ServiceUnavailable when the request cannot be counted.
  virtual BucketAnswer Take(const std::string& agent_id, int64_t rate_per_minute, int64_t burst,
                            int64_t now_ms) = 0;
  // Memory only, for the reactor thread: the answer when no statement is needed, else nullopt.
  // A refusal takes nothing.
  virtual std::optional<BucketAnswer> TryTake(const std::string& agent_id, int64_t rate_per_minute,
                                              int64_t burst, int64_t now_ms) = 0;
};

// One LeaseState per agent. Requests of different agents never wait for each other; those
// of one agent wait while one of them leases (otherwise each would lease its own chunk).
class SharedRateLimiter : public RateLimiter {
 public:
  explicit SharedRateLimiter(store::RateBucketStore& store) : store_(store) {}
  BucketAnswer Take(const std::string& agent_id, int64_t rate_per_minute, int64_t burst,
                    int64_t now_ms) override;
  // The answer when no statement is needed (a leased token is there, or the bucket is known
  // to be dry), else nullopt (also while another request of the agent is leasing).
  std::optional<BucketAnswer> TryTake(const std::string& agent_id, int64_t rate_per_minute,
                                      int64_t burst, int64_t now_ms) override;

 private:
  struct Agent;
  Agent* AgentFor(const std::string& agent_id);
  struct Agent {
    std::mutex mutex;
    LeaseState state;
  };
  store::RateBucketStore& store_;
  std::mutex mutex_;  // guards agents_ only, never held during a statement
  std::unordered_map<std::string, std::unique_ptr<Agent>> agents_;
};

}  // namespace oakgate::policy
