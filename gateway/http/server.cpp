#include "gateway/http/server.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pistache/listener.h>
#include <pistache/net.h>
#include <pistache/peer.h>
#include <pistache/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <thread>
#include <unordered_map>

#include "gateway/crypto/random.hpp"
#include "gateway/http/connection.hpp"
#include "gateway/http/forwarded.hpp"
#include "gateway/http/parser.hpp"
#include "gateway/http/worker_pool.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::http {

namespace {

constexpr auto kClosingGrace = std::chrono::seconds(5);
constexpr auto kSweepInterval = std::chrono::milliseconds(200);
// Responses a connection may have waiting to be written before its pipelined requests wait.
constexpr int kMaxQueuedResponses = 16;
constexpr auto kDrainSweepInterval = std::chrono::milliseconds(50);
constexpr const char* kConnectionKey = "oakgate.connection";
// Closing the listener: how long its accept queue must stay empty, once new SYNs are dropped,
// before it is closed (handshakes under way finish in microseconds on loopback), and how long
// to wait at most for the transport to accept what is queued.
constexpr auto kListenerQuiet = std::chrono::milliseconds(30);
constexpr auto kListenerQuietBound = std::chrono::milliseconds(2000);

// The listening socket the transport owns for `port` (Pistache keeps it private): the
// descriptor of this process that accepts connections on that port, or -1.
int FindListener(uint16_t port) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return -1;
  int found = -1;
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == ::dirfd(dir)) continue;
    int accepting = 0;
    socklen_t len = sizeof(accepting);
    if (::getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 ||
        !accepting) {
      continue;
    }
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof(addr);
    if (::getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) {
      continue;
    }
    uint16_t bound = 0;
    if (addr.ss_family == AF_INET) bound = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6)
      bound = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    if (bound == port) {
      found = static_cast<int>(fd);
      break;
    }
  }
  ::closedir(dir);
  return found;
}

// Connections completed by the kernel and waiting in the listener's accept queue.
long AcceptQueueLength(int listen_fd) {
  tcp_info info{};
  socklen_t len = sizeof(info);
  if (::getsockopt(listen_fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
  return static_cast<long>(info.tcpi_unacked);  // for a listener: the accept queue's length
}

bool IsSafeRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(ServerOptions options, Router router, ErrorRenderer errors, RequestObserver observer)
      : options_(std::move(options)),
        router_(std::move(router)),
        errors_(std::move(errors)),
        observer_(std::move(observer)),
        pool_(options_.workers, options_.queue_capacity) {
    limits_.max_request_bytes = options_.max_request_bytes;
  }

  void OnConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
    auto conn = std::make_shared<Connection>();
    conn->self = conn;
    conn->peer = peer;
    conn->fd = peer->fd();
    conn->client_address = peer->address().host();
    conn->last_activity = std::chrono::steady_clock::now();
    peer->putData(kConnectionKey, conn);
    std::lock_guard lock(registry_mutex_);
    registry_[conn->fd] = conn;
  }

  void OnDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
    auto conn = std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionKey));
    if (conn) {
      std::lock_guard conn_lock(conn->mutex);
      conn->gone = true;
    }
    // The transport closes the descriptor after this returns; holding the registry lock
    // while erasing keeps the sweeper from shutting down a descriptor that was reused.
    std::lock_guard lock(registry_mutex_);
    registry_.erase(peer->fd());
  }

  void OnInput(const char* data, size_t len, const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
    auto conn = std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionKey));
    if (!conn) return;
    std::lock_guard lock(conn->mutex);
    if (conn->closing || conn->gone) return;  // we said Connection: close; ignore the rest
    auto now = std::chrono::steady_clock::now();
    conn->last_activity = now;
    conn->received_any = true;
    if (!conn->reading) {
      conn->reading = true;
      conn->headers_done = false;
      conn->request_started = now;
    }
    // Bound what one connection may buffer: a request is at most max_request_bytes, and
    // pipelined bytes beyond one more request wait in the kernel, not in our memory.
    if (conn->buffer.size() + len > 2 * options_.max_request_bytes + 4096) {
      SendError(*conn, nullptr, 413, "request_too_large", "request too large", false);
      return;
    }
    conn->buffer.append(data, len);
    Pump(*conn);
  }

  // Parses and dispatches buffered requests, in order, until one goes to the pool or the
  // buffer holds no complete request. Called with conn.mutex held.
  void Pump(Connection& conn) {
    conn.stalled = false;
    while (!conn.in_flight && !conn.closing && !conn.gone && !conn.buffer.empty()) {
      if (conn.writes_pending->load() >= kMaxQueuedResponses) {
        // Backpressure: the client is not reading. Parse no further (the kernel and the
        // input bound hold its next requests) until a write drains.
        conn.stalled = true;
        return;
      }
      Request request;
      ParseOutcome outcome = ParseRequest(conn.buffer, limits_, request);
      if (outcome.status == ParseStatus::kIncomplete) return;
      if (outcome.status == ParseStatus::kHeadersComplete) {
        conn.headers_done = true;
        return;
      }
      if (outcome.status == ParseStatus::kError) {
        SendError(conn, nullptr, outcome.error_status, "invalid_request", outcome.error, false);
        return;
      }
      conn.buffer.erase(0, outcome.consumed);
      conn.reading = !conn.buffer.empty();
      if (conn.reading) conn.request_started = std::chrono::steady_clock::now();
      std::vector<std::string_view> forwarded_for;
      for (const auto& [name, value] : request.headers) {
        if (name == "x-forwarded-for") forwarded_for.push_back(value);
      }
      request.client_address =
          ResolveClientAddress(conn.client_address, forwarded_for, options_.trusted_proxies);
      auto incoming_id = request.Header("x-request-id");
      request.request_id = incoming_id && IsSafeRequestId(*incoming_id) ? std::string(*incoming_id)
                                                                        : crypto::RandomToken(12);
      Dispatch(conn, std::move(request), outcome.keep_alive);
    }
  }

  void Dispatch(Connection& conn, Request request, bool keep_alive) {
    auto started = std::chrono::steady_clock::now();
    RouteMatch match = router_.Find(request);
    if (match.route) request.route = match.route->pattern;
    if (!match.route) {
      Response r =
          errors_(&request, match.status, match.status == 405 ? "method_not_allowed" : "not_found",
                  match.status == 405 ? "method not allowed" : "no such endpoint");
      if (match.status == 405) r.Set("Allow", match.allow);
      Finish(conn, request, std::move(r), keep_alive, started);
      return;
    }
    in_flight_.fetch_add(1);
    if (match.route->exec == Exec::kInline) {
      Response r = RunHandler(*match.route, request);
      in_flight_.fetch_sub(1);
      Finish(conn, request, std::move(r), keep_alive, started);
      return;
    }
    if (match.route->fast) {
      std::optional<Response> fast = RunFast(*match.route, request);
      if (fast) {
        in_flight_.fetch_sub(1);
        Finish(conn, request, std::move(*fast), keep_alive, started);
        return;
      }
    }
    conn.in_flight = true;
    std::shared_ptr<Connection> shared = FindShared(conn);
    const Route* route = match.route;
    auto self = shared_from_this();
    auto req = std::make_shared<Request>(std::move(request));
    if (route->async && shared && TryAsync(*route, shared, req, keep_alive, started)) return;
    auto task = [self, shared, route, req, keep_alive, started] {
      self->Complete(*shared, *req, self->RunHandler(*route, *req), keep_alive, started,
                     /*unless_stopped=*/false);
    };
    if (!shared || !pool_.TrySubmit(std::move(task))) {
      // Shed load at once rather than queue without bound.
      conn.in_flight = false;
      in_flight_.fetch_sub(1);
      Response r = errors_(req.get(), 503, "temporarily_unavailable", "the server is busy");
      r.Set("Retry-After", "1");
      Finish(conn, *req, std::move(r), keep_alive, started);
    }
  }

  // Offers the request to the route's async handler; its reply, from another thread, finishes
  // the request as a pool task would. After Stop, a late reply is dropped.
  bool TryAsync(const Route& route, const std::shared_ptr<Connection>& shared,
                const std::shared_ptr<Request>& req, bool keep_alive,
                std::chrono::steady_clock::time_point started) {
    auto self = shared_from_this();
    Reply reply = [self, shared, req, keep_alive, started](Response r) {
      self->Complete(*shared, *req, std::move(r), keep_alive, started, /*unless_stopped=*/true);
    };
    try {
      return route.async(*req, std::move(reply));
    } catch (const std::exception&) {
      return false;
    }
  }

  // The end of a request that left the reactor (a pool task, or an async reply from another
  // thread): the answer goes out and the connection's next request, if any, is parsed.
  void Complete(Connection& conn, Request& req, Response r, bool keep_alive,
                std::chrono::steady_clock::time_point started, bool unless_stopped) {
    std::lock_guard lock(conn.mutex);
    conn.in_flight = false;
    in_flight_.fetch_sub(1);
    if (unless_stopped && stopped_.load()) return;
    Finish(conn, req, std::move(r), keep_alive, started);
    Pump(conn);
  }

  // A fast path that throws has no answer: the pool handler runs and answers as always.
  std::optional<Response> RunFast(const Route& route, Request& request) {
    try {
      return route.fast(request);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  Response RunHandler(const Route& route, Request& request) {
    // The one place that catches what a handler throws: the client gets a generic answer,
    // never e.what() (which may carry SQL or connection details).
    try {
      return route.handler(request);
    } catch (const util::ServiceUnavailable& e) {
      observe::Metrics()
          .GetCounter("oakgate_database_unavailable_total",
                      "Requests answered 503 because the database could not answer")
          .Inc();
      observe::Warn(
          "service unavailable",
          {{"request_id", request.request_id}, {"route", route.pattern}, {"detail", e.what()}});
      Response r = errors_(&request, 503, "temporarily_unavailable",
                           "the service is temporarily unavailable");
      r.Set("Retry-After", "2");
      r.Set("Cache-Control", "no-store");
      return r;
    } catch (const std::exception& e) {
      observe::Error(
          "unhandled exception",
          {{"request_id", request.request_id}, {"route", route.pattern}, {"detail", e.what()}});
    } catch (...) {
      observe::Error("unhandled exception",
                     {{"request_id", request.request_id}, {"route", route.pattern}});
    }
    return errors_(&request, 500, "server_error", "internal error");
  }

  void Finish(Connection& conn, const Request& request, Response response, bool keep_alive,
              std::chrono::steady_clock::time_point started) {
    bool keep = keep_alive && !draining_.load();
    response.Set("X-Request-Id", request.request_id);
    if (!options_.colour.empty()) response.Set("X-Oakgate-Colour", options_.colour);
    auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    if (observer_) observer_(request, response, latency);
    conn.Send(Serialize(response, request.minor_version, keep, request.method == "HEAD"), !keep,
              ResumeAfterWrite(conn));
    conn.last_activity = std::chrono::steady_clock::now();
    if (!keep) {
      conn.closing = true;
      conn.closing_since = conn.last_activity;
    }
  }

  void SendError(Connection& conn, const Request* request, int status, std::string_view code,
                 std::string_view message, bool keep_alive) {
    Response r = errors_(request, status, code, message);
    r.Set("X-Request-Id", crypto::RandomToken(12));
    if (!options_.colour.empty()) r.Set("X-Oakgate-Colour", options_.colour);
    conn.Send(Serialize(r, 1, keep_alive, false), !keep_alive);
    conn.closing = !keep_alive;
    conn.closing_since = std::chrono::steady_clock::now();
  }

  // Runs on the reactor thread when a response has been written: a connection that stopped
  // parsing for backpressure goes on with its pipelined requests.
  std::function<void()> ResumeAfterWrite(Connection& conn) {
    std::weak_ptr<Connection> weak = conn.self;
    std::weak_ptr<ServerCore> self = weak_from_this();
    return [weak, self] {
      auto c = weak.lock();
      auto core = self.lock();
      if (!c || !core || !c->stalled.load()) return;
      std::lock_guard lock(c->mutex);
      if (c->stalled && c->writes_pending->load() < kMaxQueuedResponses) core->Pump(*c);
    };
  }

  std::shared_ptr<Connection> FindShared(Connection& conn) {
    auto peer = conn.peer.lock();
    if (!peer) return nullptr;
    return std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionKey));
  }

  // Enforces the header, body, idle and closing timeouts (Slowloris and idle keep-alive);
  // while draining, closes keep-alive connections that have nothing in flight.
  void Sweep() {
    auto now = std::chrono::steady_clock::now();
    bool draining = draining_.load();
    std::lock_guard lock(registry_mutex_);
    for (auto& [fd, conn] : registry_) {
      std::lock_guard conn_lock(conn->mutex);
      if (conn->gone) continue;
      if (conn->closing) {
        if (now - conn->closing_since > kClosingGrace) conn->Abort();
        continue;
      }
      if (conn->in_flight) continue;
      if (draining && !conn->reading && conn->buffer.empty() && conn->writes_pending->load() == 0 &&
          now - conn->last_activity >= options_.drain_idle_grace) {
        // Idle while draining for longer than the proxy keeps an idle upstream connection:
        // the proxy has let it go (or is about to), so no request can be on its way. Closing
        // it earlier could meet a request Nginx just sent on it, and Nginx does not retry a
        // POST that was sent. A connection with a response still being written, or with part
        // of a request buffered, is left to finish: its answer says Connection: close.
        conn->Abort();
        conn->closing = true;
        conn->closing_since = now;
        continue;
      }
      if (conn->reading) {
        auto limit = conn->headers_done ? options_.header_timeout + options_.body_timeout
                                        : options_.header_timeout;
        if (now - conn->request_started > limit) {
          SendError(*conn, nullptr, 408, "request_timeout", "request timeout", false);
        }
      } else if (now - conn->last_activity >
                 (conn->received_any ? options_.idle_timeout : options_.header_timeout)) {
        // A connection that never sends its first request is held to the header timeout,
        // or opening many and sending nothing would pin descriptors for the idle timeout.
        conn->Abort();
      }
    }
  }

  void Start() {
    Pistache::Address addr(options_.host, Pistache::Port(options_.port));
    listener_ = std::make_unique<Pistache::Tcp::Listener>(addr);
    auto flags = Pistache::Flags<Pistache::Tcp::Options>(Pistache::Tcp::Options::ReuseAddr) |
                 Pistache::Tcp::Options::NoDelay;
    listener_->init(options_.reactor_threads, flags, "oakgate-io");
    listener_->setHandler(std::make_shared<PistacheHandler>(this));
    listener_->bind();
    listener_->runThreaded();
    sweeper_ = std::thread([this] {
      std::unique_lock lock(sweeper_mutex_);
      while (!stop_sweeper_) {
        sweeper_cv_.wait_for(lock, draining_.load() ? kDrainSweepInterval : kSweepInterval);
        if (stop_sweeper_) break;
        lock.unlock();
        Sweep();
        lock.lock();
      }
    });
  }

  void Stop() {
    {
      std::lock_guard lock(sweeper_mutex_);
      stop_sweeper_ = true;
    }
    sweeper_cv_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
    pool_.Stop();
    stopped_.store(true);
    if (listener_) listener_->shutdown();
  }

  void BeginDrain() {
    draining_.store(true);
    sweeper_cv_.notify_all();
    LogConnections();
    StopAccepting();
  }

  // What the drain starts with: open connections, and those idle in a proxy's keep-alive
  // cache (which the proxy may still pick for a request).
  void LogConnections() {
    size_t open = 0, idle = 0;
    {
      std::lock_guard lock(registry_mutex_);
      for (auto& [fd, conn] : registry_) {
        std::lock_guard conn_lock(conn->mutex);
        if (conn->gone) continue;
        ++open;
        if (!conn->in_flight && !conn->reading && !conn->closing && conn->buffer.empty() &&
            conn->writes_pending->load() == 0) {
          ++idle;
        }
      }
    }
    observe::Info("draining connections",
                  {{"open", std::to_string(open)}, {"idle", std::to_string(idle)}});
  }

  // Closes the listener without resetting a connection a client has already made. Closing a
  // listening socket on Linux resets every connection still in its accept queue (the client
  // sees its connect succeed, sends its request, then gets a reset: Nginx does not retry a
  // POST after that), and a SYN can arrive at any moment before the close. So first a socket
  // filter drops new SYNs (only SYNs: handshakes already under way complete, and connections
  // already accepted inherit a filter that passes everything else), the transport accepts
  // what is queued, and once the queue has stayed empty for kListenerQuiet the socket is
  // closed. A dropped SYN is retransmitted after a second and then refused, or Nginx's connect
  // timeout fires first: either way Nginx tries the other colour with nothing sent. From the
  // close on, connects are refused at once.
  void StopAccepting() {
    if (!listener_) return;  // never started: nothing listens
    int fd = FindListener(static_cast<uint16_t>(listener_->getPort()));
    if (fd < 0) {
      observe::Warn("draining: listening socket not found; it closes at exit");
      return;
    }
    // Classic BPF over the TCP header: flags byte & (SYN|ACK) == SYN: drop; else keep.
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),           // the TCP flags byte
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12),        // SYN and ACK
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 0, 1),  // SYN alone: a new connection
        BPF_STMT(BPF_RET | BPF_K, 0),                     // dropped
        BPF_STMT(BPF_RET | BPF_K, 0xffffffff),            // anything else: kept whole
    };
    sock_fprog program{static_cast<unsigned short>(sizeof(code) / sizeof(code[0])), code};
    if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program)) != 0) {
      observe::Warn("draining: cannot filter new connections; the listener stays open until exit");
      return;
    }
    auto started = std::chrono::steady_clock::now();
    auto empty_since = started;
    while (true) {
      auto now = std::chrono::steady_clock::now();
      long queued = AcceptQueueLength(fd);
      if (queued != 0) empty_since = now;
      if (now - empty_since >= kListenerQuiet) break;
      if (now - started > kListenerQuietBound) {
        observe::Warn(
            "draining: the accept queue did not empty; the listener stays open until exit",
            {{"queued", std::to_string(queued)}});
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    // The transport owns the descriptor and closes it at shutdown, and its accept thread
    // polls it: dup3 swaps a socket that never listens in its place (accept on it fails with
    // EINVAL, which the transport logs and survives), and closes the listener atomically.
    int placeholder = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (placeholder < 0 || ::dup3(placeholder, fd, O_CLOEXEC) < 0) {
      if (placeholder >= 0) ::close(placeholder);
      observe::Warn("draining: cannot close the listener; it stays open (filtered) until exit");
      return;
    }
    ::close(placeholder);
    observe::Info(
        "listener closed",
        {{"after_ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - started)
                                         .count())}});
  }

  // Connections that may still carry a response: everything except those already told
  // Connection: close whose last write reached the kernel (then the FIN follows the bytes and
  // closing the descriptor loses nothing).
  size_t UnfinishedConnections() {
    std::lock_guard lock(registry_mutex_);
    size_t n = 0;
    for (auto& [fd, conn] : registry_) {
      std::lock_guard conn_lock(conn->mutex);
      if (conn->gone) continue;
      bool finished = conn->closing && !conn->in_flight && conn->writes_pending->load() == 0;
      if (!finished) ++n;
    }
    return n;
  }

  bool WaitIdle(std::chrono::milliseconds bound) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    // Requests in flight first; then the connections: each response during the drain says
    // Connection: close and is followed by a FIN once written; idle ones are closed by the
    // sweeper. Stopping the transport earlier would cut responses off (Pistache's shutdown()
    // does not drain).
    while (in_flight_.load() > 0 || UnfinishedConnections() > 0) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  class PistacheHandler : public Pistache::Tcp::Handler {
   public:
    PROTOTYPE_OF(Pistache::Tcp::Handler, PistacheHandler)
    explicit PistacheHandler(ServerCore* core) : core_(core) {}
    void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
      core_->OnConnection(peer);
    }
    void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
      core_->OnDisconnection(peer);
    }
    void onInput(const char* buffer, size_t len,
                 const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
      core_->OnInput(buffer, len, peer);
    }

   private:
    ServerCore* core_;
  };

  ServerOptions options_;
  Router router_;
  ErrorRenderer errors_;
  RequestObserver observer_;
  ParseLimits limits_;
  WorkerPool pool_;
  std::atomic<bool> stopped_{false};
  std::unique_ptr<Pistache::Tcp::Listener> listener_;
  std::atomic<bool> draining_{false};
  std::atomic<size_t> in_flight_{0};
  std::mutex registry_mutex_;
  std::unordered_map<int, std::shared_ptr<Connection>> registry_;
  std::thread sweeper_;
  std::mutex sweeper_mutex_;
  std::condition_variable sweeper_cv_;
  bool stop_sweeper_ = false;
};

Server::Server(ServerOptions options, Router router, ErrorRenderer errors, RequestObserver observer)
    : core_(std::make_shared<ServerCore>(std::move(options), std::move(router), std::move(errors),
                                         std::move(observer))) {}

Server::~Server() { Stop(); }

void Server::Start() { core_->Start(); }
void Server::BeginDrain() { core_->BeginDrain(); }
bool Server::draining() const { return core_->draining_.load(); }
bool Server::WaitIdle(std::chrono::milliseconds bound) { return core_->WaitIdle(bound); }
void Server::Stop() { core_->Stop(); }
uint16_t Server::port() const {
  return core_->listener_ ? static_cast<uint16_t>(core_->listener_->getPort()) : 0;
}
size_t Server::in_flight() const { return core_->in_flight_.load(); }
size_t Server::queue_depth() const { return core_->pool_.depth(); }

}  // namespace oakgate::http
