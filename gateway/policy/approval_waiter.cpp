#include "gateway/policy/approval_waiter.hpp"

#include <algorithm>

#include "gateway/observe/metrics.hpp"
#include "gateway/observe/unexpected.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::policy {
namespace {

// While the bus is not live a change may go unheard: every parked approval is read again
// this often until it is.
constexpr auto kPollWhileDeaf = std::chrono::seconds(1);

}  // namespace

ApprovalWaiter::ApprovalWaiter(Read read, cache::InvalidationBus& bus, const util::Clock& clock,
                               size_t capacity)
    : read_(std::move(read)), bus_(bus), clock_(clock), capacity_(capacity) {
  bus_.Subscribe([this](const cache::Invalidation& inv) { Heard(inv); });
  observe::Metrics().AddCallback("oakgate_approval_waits",
                                 "Agents' long polls of an approval parked now", "gauge",
                                 [this] { return static_cast<double>(parked()); });
  thread_ = std::thread([this] { Run(); });
}

ApprovalWaiter::~ApprovalWaiter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    draining_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

size_t ApprovalWaiter::parked() const {
  std::lock_guard lock(mutex_);
  return count_;
}

bool ApprovalWaiter::Park(const store::Approval& approval, SteadyTime deadline, uint64_t generation,
                          Answer answer) {
  // A pending approval reads as expired from expires_at on: be there to say so.
  int64_t left = std::max<int64_t>(0, approval.expires_at - clock_.NowSeconds());
  deadline = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(left) +
                                    std::chrono::milliseconds(50));
  {
    std::lock_guard lock(mutex_);
    if (draining_ || count_ >= capacity_) return false;
    Entry& e = entries_[approval.id];
    e.agent_id = approval.agent_id;
    e.waits.push_back(Wait{deadline, std::move(answer)});
    ++count_;
    new_wait_ = true;  // the thread's next deadline may be this one's
    // A change heard between the caller's read and now would be missed: read again.
    if (bus_.generation() != generation || !bus_.live()) changed_.insert(approval.id);
  }
  wake_.notify_all();
  return true;
}

void ApprovalWaiter::Drain() {
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
  }
  wake_.notify_all();
}

void ApprovalWaiter::Heard(const cache::Invalidation& inv) {
  // On the listener thread: mark, never read here.
  std::lock_guard lock(mutex_);
  if (inv.subject == cache::Subject::kAll) {
    all_changed_ = true;
  } else if (inv.subject == cache::Subject::kApproval && entries_.count(inv.id)) {
    changed_.insert(inv.id);
  } else {
    return;
  }
  wake_.notify_all();
}

void ApprovalWaiter::Run() {
  while (true) {
    // What is due: ids heard of, or with a wait whose time is up, or all when draining.
    std::vector<std::pair<std::string, std::string>> due;  // id, agent
    {
      std::unique_lock lock(mutex_);
      auto next = [&] {
        SteadyTime t = SteadyTime::max();
        for (const auto& [id, e] : entries_) {
          for (const auto& w : e.waits) t = std::min(t, w.deadline);
        }
        if (!bus_.live() && !entries_.empty()) {
          t = std::min(t, std::chrono::steady_clock::now() + kPollWhileDeaf);
        }
        return t;
      };
      wake_.wait_until(lock, next(), [&] {
        return stopping_ || draining_ || all_changed_ || !changed_.empty() || new_wait_;
      });
      new_wait_ = false;
      if (stopping_ && entries_.empty()) return;
      auto now = std::chrono::steady_clock::now();
      bool all = draining_ || all_changed_ || !bus_.live();
      all_changed_ = false;
      for (const auto& [id, e] : entries_) {
        bool time_up = std::any_of(e.waits.begin(), e.waits.end(),
                                   [&](const Wait& w) { return w.deadline <= now; });
        if (all || time_up || changed_.count(id)) due.emplace_back(id, e.agent_id);
      }
      changed_.clear();
    }
    // Read outside the lock: parking goes on meanwhile.
    for (const auto& [id, agent] : due) {
      std::optional<store::Approval> now_reads;
      bool failed = false;
      try {
        now_reads = read_(agent, id, clock_.NowSeconds());
      } catch (const util::ServiceUnavailable&) {
        failed = true;
      } catch (...) {
        // Never the end of the process: answered as unavailable, and reported.
        observe::ReportUnexpected("approval_waiter", std::current_exception());
        failed = true;
      }
      std::vector<Answer> answers;
      {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(id);
        if (it == entries_.end()) continue;
        auto steady_now = std::chrono::steady_clock::now();
        bool settled = failed || !now_reads || now_reads->status != "pending" || draining_;
        auto& waits = it->second.waits;
        for (auto w = waits.begin(); w != waits.end();) {
          if (settled || w->deadline <= steady_now) {
            answers.push_back(std::move(w->answer));
            w = waits.erase(w);
            --count_;
          } else {
            ++w;
          }
        }
        if (waits.empty()) entries_.erase(it);
      }
      // Outside the lock: an answer writes to a connection.
      for (auto& a : answers) a(now_reads, failed);
    }
  }
}

}  // namespace oakgate::policy
