#pragma once
// One client connection: where it is (an explicit state machine), what it has buffered, and
// when things happened. A connection answers its requests in order: while one is handled off
// the reactor, later bytes wait in the buffer and are parsed once it has answered.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace Pistache::Tcp {
class Peer;
}

namespace oakgate::http {

using SteadyTime = std::chrono::steady_clock::time_point;

// Where a connection is. Writing has no state of its own: answers are queued on the transport
// and counted in writes_pending; a client that stops reading them shows as kStalled.
enum class ConnState : uint8_t {
  kAwaitingFirst,  // accepted, not a byte yet: held to the header timeout, not the idle one
  kIdle,           // between requests on a persistent connection; nothing buffered
  kReadingHead,    // part of a request's head is buffered (header timeout)
  kReadingBody,    // its head is complete, its body is not (header + body timeout)
  kHandling,       // a request is off the reactor (worker pool, or a deferred reply)
  kStalled,        // parsing paused: too many answers wait to be written (backpressure)
  kClosing,        // the last answer said Connection: close; the FIN follows its bytes
  kGone,           // the transport dropped the peer; nothing happens any more
};
inline constexpr int kConnStateCount = 8;

std::string_view ToString(ConnState state);

// The transition table, in one place (connection.cpp). Staying in a state is not a transition.
bool CanTransition(ConnState from, ConnState to);

struct Connection {
  std::mutex mutex;
  std::weak_ptr<Pistache::Tcp::Peer> peer;  // weak: the transport owns the peer
  std::weak_ptr<Connection> self;           // for continuations that outlive a call
  int fd = -1;
  std::string client_address;
  std::string buffer;            // bytes received and not yet parsed into a request
  SteadyTime request_started{};  // the first byte of the buffered request arrived
  SteadyTime last_activity{};
  SteadyTime closing_since{};
  // Answers queued on the transport and not yet written. Shared with the write's
  // continuation, which runs on the reactor thread without this connection's mutex.
  std::shared_ptr<std::atomic<int>> writes_pending = std::make_shared<std::atomic<int>>(0);

  // Changed only with `mutex` held, by MoveTo; read without it by a write's continuation
  // (which can run inside Send on a thread that holds the mutex, so it locks only when the
  // state is kStalled, which only a Pump that then returns at once sets).
  ConnState state() const { return state_.load(std::memory_order_acquire); }
  // Moves to `to` when the table allows it (true); otherwise refuses and stays (false).
  bool MoveTo(ConnState to);
  bool open() const {
    ConnState s = state();
    return s != ConnState::kClosing && s != ConnState::kGone;
  }

  // Queues bytes on the peer's transport. With close_after, the write side is shut down once
  // the bytes are written, so the client sees the whole response before the FIN. `written`
  // runs on the reactor thread once these bytes are written, without this mutex.
  void Send(std::string bytes, bool close_after, std::function<void()> written = nullptr);
  // Shuts the socket down in both directions (the transport then reaps it).
  void Abort();

 private:
  std::atomic<ConnState> state_{ConnState::kAwaitingFirst};
};

}  // namespace oakgate::http
