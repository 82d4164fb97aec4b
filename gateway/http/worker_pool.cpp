#include "gateway/http/worker_pool.hpp"

#include "gateway/observe/metrics.hpp"
#include "gateway/observe/unexpected.hpp"

namespace oakgate::http {

WorkerPool::WorkerPool(size_t threads, size_t capacity) : capacity_(capacity) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::TrySubmit(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= capacity_) return false;
    queue_.push_back(Task{std::move(task), std::chrono::steady_clock::now()});
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

size_t WorkerPool::depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WorkerPool::Run() {
  observe::Histogram& wait = observe::Metrics().GetHistogram(
      "oakgate_worker_queue_wait_seconds", "Time a request waited in the queue for a worker");
  while (true) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    wait.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - task.enqueued).count());
    try {
      task.run();
    } catch (...) {
      // Tasks answer their own failures; one that still throws must not end this thread.
      observe::ReportUnexpected("worker", std::current_exception());
    }
  }
}

}  // namespace oakgate::http
