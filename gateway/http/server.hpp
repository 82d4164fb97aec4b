#pragma once
// The HTTP server: Pistache's listener and reactor threads carry bytes; our parser, router
// and worker pool do the rest (server.cpp; the connection registry and its timeouts in
// connection_registry.hpp, the running of routes in route_runner.hpp).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/http/route_runner.hpp"
#include "gateway/http/router.hpp"
#include "gateway/util/net.hpp"

namespace oakgate::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4000;
  size_t reactor_threads = 2;
  size_t workers = 4;
  size_t queue_capacity = 1024;
  size_t max_request_bytes = 65536;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{75000};
  // While draining, an idle keep-alive connection is closed only once it has been idle this
  // long. It must exceed the proxy's upstream keep-alive timeout (Nginx's keepalive_timeout,
  // 2 s in nginx/oakgate.conf.in): until then the proxy may pick the connection for a request
  // at the very moment it is closed, and a POST that meets a closed connection is not retried.
  std::chrono::milliseconds drain_idle_grace{4000};
  // Peers whose X-Forwarded-For names the client (see forwarded.hpp); empty: none.
  std::vector<util::IpRange> trusted_proxies;
  // When set, every response carries X-Oakgate-Colour: <colour> (blue/green deployments).
  std::string colour;
  // When set, every response carries Strict-Transport-Security with this value (see
  // StrictTransportSecurityFor).
  std::string strict_transport_security;
};

// RFC 6797 (G18 in docs/security.md): the Strict-Transport-Security value for an issuer. An
// https issuer means browsers reach the gateway over TLS (terminated by the proxy in front),
// so every response says to keep doing so; an http issuer (development, loopback) gets none.
std::string StrictTransportSecurityFor(std::string_view issuer);

// Called once per completed request (access log, metrics); never for requests whose bytes
// did not parse.
using RequestObserver = std::function<void(const Request& request, const Response& response,
                                           std::chrono::microseconds latency)>;

class ServerCore;

class Server {
 public:
  Server(ServerOptions options, Router router, ErrorRenderer errors, RequestObserver observer);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the reactor threads; throws if the address cannot be bound. A
  // blue/green colour calls it only once it is ready: until then nothing listens, and Nginx's
  // connects are refused and go to the other colour.
  void Start();
  // From now on every response carries Connection: close, and the listener stops taking new
  // connections without resetting any it has queued (see StopAccepting in server.cpp): a new
  // connect is refused, which Nginx retries on the other colour, POST included, since nothing
  // was sent. Keep-alive connections left idle for drain_idle_grace are closed. Returns once
  // the listener is closed.
  void BeginDrain();
  bool draining() const;
  // Waits until no request is in flight and every connection has closed (each response fully
  // written before its FIN), at most `bound`; true when everything finished in time.
  bool WaitIdle(std::chrono::milliseconds bound);
  // Stops the listener and reactor threads; whatever is still open is dropped.
  void Stop();
  uint16_t port() const;
  size_t in_flight() const;
  size_t queue_depth() const;

 private:
  std::shared_ptr<ServerCore> core_;
};

}  // namespace oakgate::http
