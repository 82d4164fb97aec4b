#pragma once
// A bounded pool for work that blocks (PostgreSQL, scrypt). When the queue is full,
// TrySubmit refuses at once so the caller can shed load with 503 instead of queueing
// without bound.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace oakgate::http {

class WorkerPool {
 public:
  WorkerPool(size_t threads, size_t capacity);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool TrySubmit(std::function<void()> task);
  // Runs what is queued, then joins the threads.
  void Stop();
  size_t depth() const;

 private:
  void Run();

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  struct Task {
    std::function<void()> run;
    std::chrono::steady_clock::time_point enqueued;
  };
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace oakgate::http
