#include "gateway/store/pg/pg_listener.hpp"

#include <chrono>
#include <pqxx/pqxx>

#include "gateway/observe/log.hpp"

namespace oakgate::store::pg {
namespace {

class Receiver : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& conn, const std::string& channel,
           std::function<void(std::string_view)>& deliver)
      : pqxx::notification_receiver(conn, channel), deliver_(deliver) {}
  void operator()(const std::string& payload, int /*backend_pid*/) override { deliver_(payload); }

 private:
  std::function<void(std::string_view)>& deliver_;
};

// Named, so an operator (and a test) can tell the listener's backend from the workers'.
std::string WithApplicationName(const std::string& url) {
  const char* name = "application_name=oakgate-listener";
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + name;
  }
  return url + " " + name;
}

}  // namespace

PgListener::PgListener(std::string url, std::string channel,
                       std::function<void(std::string_view)> deliver,
                       std::function<void(bool)> set_live)
    : url_(std::move(url)),
      channel_(std::move(channel)),
      deliver_(std::move(deliver)),
      set_live_(std::move(set_live)),
      thread_([this] { Run(); }) {}

PgListener::~PgListener() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void PgListener::Run() {
  auto backoff = std::chrono::milliseconds(50);
  while (!stop_.load()) {
    try {
      pqxx::connection conn(WithApplicationName(url_));
      Receiver receiver(conn, channel_, deliver_);  // LISTEN, sent at once
      conn.get_notifs();
      set_live_(true);
      observe::Info("cache invalidation listener connected", {});
      backoff = std::chrono::milliseconds(50);
      while (!stop_.load()) {
        // Wakes for a notification or after 200 ms, to notice a stop request.
        conn.await_notification(0, 200000);
        // A silent connection that died is only noticed when used.
        if (!conn.is_open()) throw pqxx::broken_connection("listener connection closed");
      }
      set_live_(false);
      return;
    } catch (const std::exception& e) {
      set_live_(false);
      observe::Warn("cache invalidation listener lost; caches dropped",
                    {{"detail", e.what()}, {"retry_ms", std::to_string(backoff.count())}});
    }
    auto until = std::chrono::steady_clock::now() + backoff;
    while (!stop_.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace oakgate::store::pg
