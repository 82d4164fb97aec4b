#pragma once
// The agents' long polls of GET /v1/approvals/{id}?wait=N (CONTRACT §10), held without a
// worker thread: a parked wait is an entry here, answered by this one thread when the
// approval changes (its NOTIFY, from any instance, through the invalidation bus), when its
// time is up, or when the gateway drains. Hundreds of waiting agents cost a map entry each,
// and a change costs one read of the approval, whoever waits on it.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/cache/invalidation.hpp"
#include "gateway/store/approval_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::policy {

class ApprovalWaiter {
 public:
  // Called once, on the waiter's thread: the approval as it reads now (nullopt: it is gone,
  // with its agent), or `failed` when it could not be read (the database is down: 503).
  using Answer = std::function<void(const std::optional<store::Approval>&, bool failed)>;
  using SteadyTime = std::chrono::steady_clock::time_point;

  // `read` reads an agent's approval on the calling thread's connection (may throw
  // util::ServiceUnavailable). At most `capacity` waits are parked at once.
  using Read = std::function<std::optional<store::Approval>(const std::string& agent_id,
                                                            const std::string& id, int64_t now)>;
  ApprovalWaiter(Read read, cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity);
  ~ApprovalWaiter();  // answers every parked wait, then joins
  ApprovalWaiter(const ApprovalWaiter&) = delete;
  ApprovalWaiter& operator=(const ApprovalWaiter&) = delete;

  // Parks a wait on `approval` (pending, as read after `generation`, the bus's generation
  // before that read) until `deadline`, or until it expires. False when full: answer now.
  bool Park(const store::Approval& approval, SteadyTime deadline, uint64_t generation,
            Answer answer);
  // Answers every parked wait now (the gateway is draining: nothing may hold it up).
  void Drain();
  size_t parked() const;

 private:
  struct Wait {
    SteadyTime deadline;
    Answer answer;
  };
  struct Entry {
    std::string agent_id;
    std::vector<Wait> waits;
  };
  void Run();
  void Heard(const cache::Invalidation& inv);

  Read read_;
  cache::InvalidationBus& bus_;
  const util::Clock& clock_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Entry> entries_;  // by approval id
  std::set<std::string> changed_;         // ids to read again
  bool all_changed_ = false;
  bool new_wait_ = false;
  bool draining_ = false;
  bool stopping_ = false;
  size_t count_ = 0;
  std::thread thread_;
};

}  // namespace oakgate::policy
