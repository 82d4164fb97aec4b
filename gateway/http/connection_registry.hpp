#pragma once
// The open connections by descriptor, and the sweeper that holds them to their timeouts: the
// header and body timeouts (Slowloris), the idle keep-alive timeout, the closing grace, and
// while draining the close of connections a proxy has stopped using.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "gateway/http/connection.hpp"

namespace oakgate::http {

struct SweepLimits {
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{75000};
  std::chrono::milliseconds drain_idle_grace{4000};
  // How long a connection told Connection: close may take to go before it is shut down.
  std::chrono::milliseconds closing_grace{5000};
};

enum class SweepAction {
  kNone,
  kTimeout,     // answer 408 and close: a request took too long to arrive
  kAbort,       // shut the socket down: idle too long, or closing too long
  kDrainClose,  // shut the socket down and count it as closing: idle while draining
};

// What the sweeper does to one connection now. Pure: the unit tests drive it with made-up
// times.
SweepAction DecideSweep(ConnState state, SteadyTime request_started, SteadyTime last_activity,
                        SteadyTime closing_since, int writes_pending, SteadyTime now,
                        const SweepLimits& limits, bool draining);

class ConnectionRegistry {
 public:
  void Add(const std::shared_ptr<Connection>& conn);
  // Called before the transport closes the descriptor: erasing under the registry's lock
  // keeps the sweeper from shutting down a descriptor that was reused meanwhile.
  void Remove(int fd);

  // Applies DecideSweep to every connection; `timeout` answers the 408 (with the connection's
  // mutex held).
  void Sweep(SteadyTime now, const SweepLimits& limits, bool draining,
             const std::function<void(Connection&)>& timeout);

  struct Census {
    size_t open = 0;        // not gone
    size_t idle = 0;        // between requests with nothing buffered or being written
    size_t unfinished = 0;  // may still carry an answer (everything but closed-and-written)
  };
  Census Count();

 private:
  std::mutex mutex_;
  std::unordered_map<int, std::shared_ptr<Connection>> by_fd_;
};

// Runs `sweep` every interval() on its own thread until stopped; Wake() runs it early.
class Sweeper {
 public:
  Sweeper(std::function<void()> sweep, std::function<std::chrono::milliseconds()> interval);
  ~Sweeper();
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;
  void Start();
  void Wake();
  void Stop();

 private:
  std::function<void()> sweep_;
  std::function<std::chrono::milliseconds()> interval_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace oakgate::http
