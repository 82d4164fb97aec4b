#pragma once
// LISTEN on the cache invalidation channel, on a thread and connection of its own. Each
// notification's payload goes to `deliver`. `set_live(true)` once listening, `set_live(false)`
// as soon as the connection is lost: notifications sent meanwhile are gone, so caches must
// drop everything and stay off until the listener is back (then it calls set_live(true)
// again, and the caches start empty).
#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace oakgate::store::pg {

class PgListener {
 public:
  PgListener(std::string url, std::string channel, std::function<void(std::string_view)> deliver,
             std::function<void(bool)> set_live);
  ~PgListener();  // stops and joins
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;

 private:
  void Run();
  std::string url_;
  std::string channel_;
  std::function<void(std::string_view)> deliver_;
  std::function<void(bool)> set_live_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace oakgate::store::pg
