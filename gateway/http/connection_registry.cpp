#include "gateway/http/connection_registry.hpp"

namespace oakgate::http {

SweepAction DecideSweep(ConnState state, SteadyTime request_started, SteadyTime last_activity,
                        SteadyTime closing_since, int writes_pending, SteadyTime now,
                        const SweepLimits& limits, bool draining) {
  switch (state) {
    case ConnState::kGone:
    case ConnState::kHandling:  // its answer comes when the handler is done
      return SweepAction::kNone;
    case ConnState::kClosing:
      return now - closing_since > limits.closing_grace ? SweepAction::kAbort : SweepAction::kNone;
    case ConnState::kReadingHead:
    case ConnState::kStalled:  // pipelined bytes wait while the client does not read
      return now - request_started > limits.header_timeout ? SweepAction::kTimeout
                                                           : SweepAction::kNone;
    case ConnState::kReadingBody:
      return now - request_started > limits.header_timeout + limits.body_timeout
                 ? SweepAction::kTimeout
                 : SweepAction::kNone;
    case ConnState::kAwaitingFirst:
    case ConnState::kIdle:
      break;
  }
  if (draining && writes_pending == 0 && now - last_activity >= limits.drain_idle_grace) {
    // Idle while draining for longer than the proxy keeps an idle upstream connection: the
    // proxy has let it go (or is about to), so no request can be on its way. Closing it
    // earlier could meet a request Nginx just sent on it, and Nginx does not retry a POST
    // that was sent. A connection with an answer still being written is left to finish: its
    // answer says Connection: close.
    return SweepAction::kDrainClose;
  }
  // A connection that never sends its first request is held to the header timeout, or
  // opening many and sending nothing would pin descriptors for the idle timeout.
  auto limit = state == ConnState::kIdle ? limits.idle_timeout : limits.header_timeout;
  return now - last_activity > limit ? SweepAction::kAbort : SweepAction::kNone;
}

void ConnectionRegistry::Add(const std::shared_ptr<Connection>& conn) {
  std::lock_guard lock(mutex_);
  by_fd_[conn->fd] = conn;
}

void ConnectionRegistry::Remove(int fd) {
  std::lock_guard lock(mutex_);
  by_fd_.erase(fd);
}

void ConnectionRegistry::Sweep(SteadyTime now, const SweepLimits& limits, bool draining,
                               const std::function<void(Connection&)>& timeout) {
  std::lock_guard lock(mutex_);
  for (auto& [fd, conn] : by_fd_) {
    std::lock_guard conn_lock(conn->mutex);
    switch (DecideSweep(conn->state(), conn->request_started, conn->last_activity,
                        conn->closing_since, conn->writes_pending->load(), now, limits, draining)) {
      case SweepAction::kNone:
        break;
      case SweepAction::kTimeout:
        timeout(*conn);
        break;
      case SweepAction::kAbort:
        conn->Abort();
        break;
      case SweepAction::kDrainClose:
        conn->Abort();
        conn->MoveTo(ConnState::kClosing);
        conn->closing_since = now;
        break;
    }
  }
}

ConnectionRegistry::Census ConnectionRegistry::Count() {
  Census c;
  std::lock_guard lock(mutex_);
  for (auto& [fd, conn] : by_fd_) {
    std::lock_guard conn_lock(conn->mutex);
    ConnState s = conn->state();
    if (s == ConnState::kGone) continue;
    ++c.open;
    int writing = conn->writes_pending->load();
    if ((s == ConnState::kAwaitingFirst || s == ConnState::kIdle) && writing == 0) ++c.idle;
    // Told Connection: close, with its last write in the kernel: the FIN follows the bytes, and
    // closing the descriptor loses nothing.
    if (!(s == ConnState::kClosing && writing == 0)) ++c.unfinished;
  }
  return c;
}

Sweeper::Sweeper(std::function<void()> sweep, std::function<std::chrono::milliseconds()> interval)
    : sweep_(std::move(sweep)), interval_(std::move(interval)) {}

Sweeper::~Sweeper() { Stop(); }

void Sweeper::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      cv_.wait_for(lock, interval_());
      if (stop_) break;
      lock.unlock();
      sweep_();
      lock.lock();
    }
  });
}

void Sweeper::Wake() { cv_.notify_all(); }

void Sweeper::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace oakgate::http
