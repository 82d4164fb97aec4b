#pragma once
// Per-connection state. A connection answers its requests in order: while one request is
// on the worker pool, further bytes are buffered and parsed only after it has answered.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace Pistache::Tcp {
class Peer;
}

namespace oakgate::http {

using SteadyTime = std::chrono::steady_clock::time_point;

struct Connection {
  std::mutex mutex;
  std::weak_ptr<Pistache::Tcp::Peer> peer;  // weak: the transport owns the peer
  std::weak_ptr<Connection> self;           // for continuations that outlive a call
  int fd = -1;
  std::string client_address;
  std::string buffer;
  bool in_flight = false;  // a request is being handled
  bool closing = false;    // the last response said Connection: close
  bool gone = false;       // the transport dropped the peer
  bool reading = false;    // bytes of an incomplete request are buffered
  bool headers_done = false;
  bool received_any = false;  // a connection that never sent a byte gets the header timeout
  SteadyTime request_started{};
  SteadyTime last_activity{};
  SteadyTime closing_since{};
  // Responses queued on the transport and not yet written. Shared with the write's
  // continuation, which runs on the reactor thread without this connection's mutex.
  std::shared_ptr<std::atomic<int>> writes_pending = std::make_shared<std::atomic<int>>(0);
  // Parsing stopped because too many responses wait to be written (a client that pipelines
  // and does not read); a write that drains them resumes it. Read without the mutex by the
  // write's continuation, which can run inside Send on a thread that holds the mutex: it
  // locks only when this is set, and it is set only by a Pump that then returns at once.
  std::atomic<bool> stalled{false};

  // Queues bytes on the peer's transport. With close_after, the write side is shut down once
  // the bytes are written, so the client sees the whole response before the FIN. `written`
  // runs on the reactor thread once these bytes are written, without this mutex.
  void Send(std::string bytes, bool close_after, std::function<void()> written = nullptr);
  // Shuts the socket down in both directions (the transport then reaps it).
  void Abort();
};

}  // namespace oakgate::http
