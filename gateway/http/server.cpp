#include "gateway/http/server.hpp"

#include <pistache/listener.h>
#include <pistache/net.h>
#include <pistache/peer.h>
#include <pistache/tcp.h>

#include <thread>

#include "gateway/crypto/random.hpp"
#include "gateway/http/connection.hpp"
#include "gateway/http/connection_registry.hpp"
#include "gateway/http/forwarded.hpp"
#include "gateway/http/listener_drain.hpp"
#include "gateway/http/parser.hpp"
#include "gateway/http/route_runner.hpp"
#include "gateway/http/worker_pool.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/observe/unexpected.hpp"

namespace oakgate::http {

namespace {

constexpr auto kSweepInterval = std::chrono::milliseconds(200);
constexpr auto kDrainSweepInterval = std::chrono::milliseconds(50);
// Answers a connection may have waiting to be written before its pipelined requests wait.
constexpr int kMaxQueuedResponses = 16;
constexpr const char* kConnectionKey = "oakgate.connection";

bool IsSafeRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::chrono::microseconds Since(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               started);
}

// A refused transition is a bug in this file: said once per occurrence, never silently.
void Move(Connection& conn, ConnState to) {
  ConnState from = conn.state();
  if (!conn.MoveTo(to)) {
    observe::Warn("refused connection transition",
                  {{"from", std::string(ToString(from))}, {"to", std::string(ToString(to))}});
  }
}

}  // namespace

std::string StrictTransportSecurityFor(std::string_view issuer) {
  // RFC 6797 §6.1.1: max-age in seconds. Two years, as the shipped Nginx TLS server sends, so
  // a response that passes through it carries one value twice rather than two values.
  if (issuer.rfind("https://", 0) == 0) return "max-age=63072000";
  return "";
}

// The Pistache glue and the life of a request on a connection: bytes in, parse, one reactor
// attempt, maybe the pool, bytes out. The connection registry and its timeouts, the running of
// routes and the drain's listener close are in their own files.
class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(ServerOptions options, Router router, ErrorRenderer errors, RequestObserver observer)
      : options_(std::move(options)),
        router_(std::move(router)),
        runner_(std::move(errors)),
        observer_(std::move(observer)),
        pool_(options_.workers, options_.queue_capacity),
        sweeper_([this] { Sweep(); },
                 [this] { return draining_.load() ? kDrainSweepInterval : kSweepInterval; }) {
    limits_.max_request_bytes = options_.max_request_bytes;
    sweep_limits_.header_timeout = options_.header_timeout;
    sweep_limits_.body_timeout = options_.body_timeout;
    sweep_limits_.idle_timeout = options_.idle_timeout;
    sweep_limits_.drain_idle_grace = options_.drain_idle_grace;
    // The series exist from the start, at 0, so an alert on their rate sees them.
    for (const char* where : {"handler", "reactor_attempt", "worker", "reply", "transport"}) {
      observe::UnexpectedExceptions(where);
    }
  }

  void OnConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
    auto conn = std::make_shared<Connection>();
    conn->self = conn;
    conn->peer = peer;
    conn->fd = peer->fd();
    conn->client_address = peer->address().host();
    conn->last_activity = std::chrono::steady_clock::now();
    peer->putData(kConnectionKey, conn);
    registry_.Add(conn);
  }

  void OnDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
    auto conn = std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionKey));
    if (conn) {
      std::lock_guard conn_lock(conn->mutex);
      Move(*conn, ConnState::kGone);
    }
    // The transport closes the descriptor after this returns.
    registry_.Remove(peer->fd());
  }

  void OnInput(const char* data, size_t len, const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
    auto conn = std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionKey));
    if (!conn) return;
    std::lock_guard lock(conn->mutex);
    if (!conn->open()) return;  // we said Connection: close; ignore the rest
    auto now = std::chrono::steady_clock::now();
    conn->last_activity = now;
    if (conn->buffer.empty()) conn->request_started = now;
    ConnState s = conn->state();
    if (s == ConnState::kAwaitingFirst || s == ConnState::kIdle) {
      Move(*conn, ConnState::kReadingHead);
    }
    // Bound what one connection may buffer: a request is at most max_request_bytes, and
    // pipelined bytes beyond one more request wait in the kernel, not in our memory.
    if (conn->buffer.size() + len > 2 * options_.max_request_bytes + 4096) {
      SendError(*conn, 413, "request_too_large", "request too large");
      return;
    }
    conn->buffer.append(data, len);
    Pump(*conn);
  }

  // Parses and dispatches buffered requests, in order, until one leaves the reactor or the
  // buffer holds no complete request. Called with conn.mutex held.
  void Pump(Connection& conn) {
    if (conn.state() == ConnState::kStalled) Move(conn, ConnState::kReadingHead);
    while (conn.state() == ConnState::kReadingHead || conn.state() == ConnState::kReadingBody) {
      if (conn.writes_pending->load() >= kMaxQueuedResponses) {
        // Backpressure: the client is not reading. Parse no further (the kernel and the
        // input bound hold its next requests) until a write drains.
        Move(conn, ConnState::kStalled);
        // Every write may have completed between the load above and the move, each of their
        // continuations seeing no stall and resuming nothing: then none is left to resume us
        // and the connection would sit until the header timeout. Look again now that the
        // state says stalled (the fence pairs with the continuation's fetch_sub: store, then
        // load, on both sides).
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (conn.writes_pending->load() >= kMaxQueuedResponses) return;
        Move(conn, ConnState::kReadingHead);
        continue;
      }
      Request request;
      ParseOutcome outcome = ParseRequest(conn.buffer, limits_, request);
      if (outcome.status == ParseStatus::kIncomplete) return;
      if (outcome.status == ParseStatus::kHeadersComplete) {
        Move(conn, ConnState::kReadingBody);
        return;
      }
      if (outcome.status == ParseStatus::kError) {
        SendError(conn, outcome.error_status, outcome.error_code, outcome.error);
        return;
      }
      conn.buffer.erase(0, outcome.consumed);
      if (!conn.buffer.empty()) conn.request_started = std::chrono::steady_clock::now();
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

  // One reactor attempt for every route: answered here, deferred to another thread, or
  // declined to the worker pool (503 at once when its queue is full).
  void Dispatch(Connection& conn, Request request, bool keep_alive) {
    auto started = std::chrono::steady_clock::now();
    RouteMatch match = router_.Find(request);
    if (!match.route) {
      Response r = runner_.Error(&request, match.status,
                                 match.status == 405 ? "method_not_allowed" : "not_found",
                                 match.status == 405 ? "method not allowed" : "no such endpoint");
      if (match.status == 405) r.Set("Allow", match.allow);
      Finish(conn, nullptr, request, std::move(r), keep_alive, started);
      return;
    }
    const Route& route = *match.route;
    request.route = route.pattern;
    in_flight_.fetch_add(1);
    std::shared_ptr<Connection> shared = conn.self.lock();
    // A request that may be answered from another thread lives on the heap; the others stay
    // here, which costs the requests answered from memory nothing.
    std::shared_ptr<Request> held;
    Reply reply;
    if (route.may_defer && shared) {
      held = std::make_shared<Request>(std::move(request));
      reply = MakeReply(shared, &route, held, keep_alive, started);
    }
    Request& req = held ? *held : request;
    // A route that may defer is offered the request only with a Reply to call later.
    Attempt attempt = route.may_defer && !reply
                          ? Attempt::Decline()
                          : runner_.TryOnReactor(route, req, std::move(reply));
    switch (attempt.kind) {
      case Attempt::Kind::kAnswer:
        in_flight_.fetch_sub(1);
        Finish(conn, &route, req, std::move(attempt.response), keep_alive, started);
        return;
      case Attempt::Kind::kDefer:
        Move(conn, ConnState::kHandling);
        return;
      case Attempt::Kind::kDecline:
        break;
    }
    if (!held) held = std::make_shared<Request>(std::move(req));
    auto self = shared_from_this();
    auto task = [self, shared, route = &route, held, keep_alive, started] {
      if (route->parking) {
        // Parked: the reply comes later, from the waiter's thread, and this thread is free.
        auto answer = self->runner_.RunParking(
            *route, *held, self->MakeReply(shared, route, held, keep_alive, started));
        if (answer) {
          self->Complete(*shared, route, *held, std::move(*answer), keep_alive, started, "worker");
        }
        return;
      }
      self->Complete(*shared, route, *held, self->runner_.RunOnWorker(*route, *held), keep_alive,
                     started, "worker");
    };
    if (shared && (route.worker || route.parking) && pool_.TrySubmit(std::move(task))) {
      Move(conn, ConnState::kHandling);
      return;
    }
    // Shed load at once rather than queue without bound.
    in_flight_.fetch_sub(1);
    Finish(conn, &route, *held, runner_.Busy(*held), keep_alive, started);
  }

  // The Reply of a deferred request: its answer, from another thread, finishes the request as
  // a pool task would. After Stop, a late reply is dropped.
  Reply MakeReply(const std::shared_ptr<Connection>& shared, const Route* route,
                  const std::shared_ptr<Request>& req, bool keep_alive,
                  std::chrono::steady_clock::time_point started) {
    auto self = shared_from_this();
    return [self, shared, route, req, keep_alive, started](Response r) {
      self->Complete(*shared, route, *req, std::move(r), keep_alive, started, "reply");
    };
  }

  // The end of a request that left the reactor (`from`: "worker" for a pool task, "reply" for
  // a deferred one): the answer goes out and the connection's next request, if any, is parsed.
  // After Stop, a late reply is dropped.
  void Complete(Connection& conn, const Route* route, Request& req, Response r, bool keep_alive,
                std::chrono::steady_clock::time_point started, const char* from) {
    std::lock_guard lock(conn.mutex);
    in_flight_.fetch_sub(1);
    if (std::string_view(from) == "reply" && stopped_.load()) return;
    if (conn.state() != ConnState::kHandling) {
      // Closed meanwhile (a 413 for bytes that arrived, or the client went): nobody to answer,
      // but the request still counts and is logged, as every finished request is.
      if (observer_) observer_(req, r, Since(started));
      return;
    }
    try {
      Finish(conn, route, req, std::move(r), keep_alive, started);
      Pump(conn);
    } catch (...) {
      // Not a handler's (those are answered): nothing sensible can be said to this client.
      observe::ReportUnexpected(from, std::current_exception(), req.request_id, req.route);
      conn.Abort();
    }
  }

  // What every response carries, whoever made it.
  void Stamp(Response& response, std::string request_id) {
    response.Set("X-Request-Id", std::move(request_id));
    if (!options_.colour.empty()) response.Set("X-Oakgate-Colour", options_.colour);
    // RFC 6797 §7.1: on every response, errors included.
    if (!options_.strict_transport_security.empty()) {
      response.Set("Strict-Transport-Security", options_.strict_transport_security);
    }
  }

  void Finish(Connection& conn, const Route* route, const Request& request, Response response,
              bool keep_alive, std::chrono::steady_clock::time_point started) {
    bool keep = keep_alive && !draining_.load();
    if (route && route->decorate) route->decorate(response);
    Stamp(response, request.request_id);
    if (observer_) observer_(request, response, Since(started));
    conn.Send(Serialize(response, request.minor_version, keep, request.method == "HEAD"), !keep,
              ResumeAfterWrite(conn));
    conn.last_activity = std::chrono::steady_clock::now();
    if (!keep) {
      Move(conn, ConnState::kClosing);
      conn.closing_since = conn.last_activity;
      return;
    }
    Move(conn, conn.buffer.empty() ? ConnState::kIdle : ConnState::kReadingHead);
  }

  // An error before any request could be read (bad bytes, too many, too slow): answered
  // without a request, and the connection closes.
  void SendError(Connection& conn, int status, std::string_view code, std::string_view message) {
    Response r = runner_.Error(nullptr, status, code, message);
    Stamp(r, crypto::RandomToken(12));
    conn.Send(Serialize(r, 1, false, false), true);
    Move(conn, ConnState::kClosing);
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
      if (!c || !core || c->state() != ConnState::kStalled) return;
      std::lock_guard lock(c->mutex);
      if (c->state() == ConnState::kStalled && c->writes_pending->load() < kMaxQueuedResponses) {
        core->Pump(*c);
      }
    };
  }

  void Sweep() {
    registry_.Sweep(
        std::chrono::steady_clock::now(), sweep_limits_, draining_.load(),
        [this](Connection& conn) { SendError(conn, 408, "request_timeout", "request timeout"); });
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
    sweeper_.Start();
  }

  void Stop() {
    sweeper_.Stop();
    pool_.Stop();
    stopped_.store(true);
    if (listener_) listener_->shutdown();
  }

  void BeginDrain() {
    draining_.store(true);
    sweeper_.Wake();
    // What the drain starts with: open connections, and those idle in a proxy's keep-alive
    // cache (which the proxy may still pick for a request).
    auto census = registry_.Count();
    observe::Info("draining connections",
                  {{"open", std::to_string(census.open)}, {"idle", std::to_string(census.idle)}});
    if (listener_) StopAcceptingWithoutReset(static_cast<uint16_t>(listener_->getPort()));
  }

  bool WaitIdle(std::chrono::milliseconds bound) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    // Requests in flight first; then the connections: each response during the drain says
    // Connection: close and is followed by a FIN once written; idle ones are closed by the
    // sweeper. Stopping the transport earlier would cut responses off (Pistache's shutdown()
    // does not drain).
    while (in_flight_.load() > 0 || registry_.Count().unfinished > 0) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  // Pistache calls these on its reactor threads; nothing may escape into its loop.
  class PistacheHandler : public Pistache::Tcp::Handler {
   public:
    PROTOTYPE_OF(Pistache::Tcp::Handler, PistacheHandler)
    explicit PistacheHandler(ServerCore* core) : core_(core) {}
    void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
      Guard(peer, [&] { core_->OnConnection(peer); });
    }
    void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
      Guard(peer, [&] { core_->OnDisconnection(peer); });
    }
    void onInput(const char* buffer, size_t len,
                 const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
      Guard(peer, [&] { core_->OnInput(buffer, len, peer); });
    }

   private:
    template <typename F>
    void Guard(const std::shared_ptr<Pistache::Tcp::Peer>& peer, F&& f) {
      try {
        f();
      } catch (...) {
        observe::ReportUnexpected("transport", std::current_exception());
        auto conn = std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionKey));
        if (conn) conn->Abort();
      }
    }
    ServerCore* core_;
  };

  ServerOptions options_;
  Router router_;
  RouteRunner runner_;
  RequestObserver observer_;
  ParseLimits limits_;
  SweepLimits sweep_limits_;
  WorkerPool pool_;
  ConnectionRegistry registry_;
  std::atomic<bool> stopped_{false};
  std::unique_ptr<Pistache::Tcp::Listener> listener_;
  std::atomic<bool> draining_{false};
  std::atomic<size_t> in_flight_{0};
  Sweeper sweeper_;  // last: its thread reads the members above, so it stops first
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
