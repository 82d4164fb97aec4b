#pragma once
// Our own route table: every path answers every method, unknown methods with 405 and
// Allow, unknown paths with 404 (Pistache 0.0.5's Rest::Router races on unrouted methods).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"

namespace oakgate::http {

// Where a handler runs: on the reactor thread (memory only) or on the worker pool (anything
// that touches PostgreSQL or scrypt).
enum class Exec { kInline, kPool };

using Handler = std::function<Response(Request&)>;
// Tried on the reactor thread before a pool route's handler: an answer from memory (a cache
// hit), or nullopt to post the request to the pool as usual. Must never block.
using FastHandler = std::function<std::optional<Response>(Request&)>;
// Sends the response of a request whose handler answered later, from any thread, once.
using Reply = std::function<void(Response)>;
// Tried on the reactor thread before a pool route's handler: true when it took the request
// and will call `reply` later, from another thread (never from inside this call); false to
// post the request to the pool as usual (then it must never call `reply`). Must not block.
using AsyncHandler = std::function<bool(Request&, Reply reply)>;
// Runs on the pool like a Handler, and may park the request instead of answering: nullopt
// means it handed `reply` on (to a waiter that calls it later, from another thread, once)
// and the worker thread is free at once. A long poll holds a connection, not a thread.
using ParkingHandler = std::function<std::optional<Response>(Request&, Reply reply)>;
// Headers a route puts on every answer it gives, the server's own 500 and 503 for it included
// (CORS: CONTRACT §4 wants them on the 503 of a database outage too).
using Decorator = std::function<void(Response&)>;

// What a route's reactor attempt did with a request. Every route kind is one attempt on the
// reactor thread, and the server runs them all the same way:
// - kAnswer: answered from memory; the response is sent at once (inline routes always answer;
//   a fast path answers on a cache hit).
// - kDefer: handed to another thread (a group committer) that calls the Reply later.
// - kDecline: memory is not enough: the route's worker handler runs on the pool.
struct Attempt {
  enum class Kind { kAnswer, kDefer, kDecline };
  Kind kind = Kind::kDecline;
  Response response;  // kAnswer only

  static Attempt Answer(Response r) { return {Kind::kAnswer, std::move(r)}; }
  static Attempt Defer() { return {Kind::kDefer, {}}; }
  static Attempt Decline() { return {Kind::kDecline, {}}; }
};
// Runs on the reactor thread and never blocks. `reply` is set only on routes that may defer
// (added with AddWithAsyncPath); an attempt that calls it returns kDefer.
using ReactorAttempt = std::function<Attempt(Request&, Reply reply)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/agents/{agent_id}"
  std::vector<std::string> segments;
  ReactorAttempt attempt;  // empty: decline at once (a plain pool route)
  Handler worker;          // runs on the pool when the attempt declines; empty for inline routes
  ParkingHandler parking;  // instead of worker: a pool handler that may park the request
  bool may_defer = false;  // the attempt may take the request and reply later
  Decorator decorate;      // may be empty
};

// A route as listed: what `oakgate routes` prints and the OpenAPI coverage test reads.
struct RouteEntry {
  std::string method;
  std::string pattern;
};

struct RouteMatch {
  const Route* route = nullptr;  // set when found
  int status = 404;              // 404, 405 or 200
  std::string allow;             // for 405
};

class Router {
 public:
  // kInline: `handler` is the reactor attempt and always answers. kPool: no attempt; `handler`
  // runs on the worker pool.
  void Add(std::string method, std::string pattern, Exec exec, Handler handler,
           Decorator decorate = {});
  // A pool route whose requests are first offered to `fast` on the reactor thread.
  void AddWithFastPath(std::string method, std::string pattern, FastHandler fast, Handler handler,
                       Decorator decorate = {});
  // A pool route whose requests are first offered to `async` on the reactor thread.
  void AddWithAsyncPath(std::string method, std::string pattern, AsyncHandler async,
                        Handler handler, Decorator decorate = {});
  // A pool route whose handler may park the request (ParkingHandler).
  void AddParking(std::string method, std::string pattern, ParkingHandler handler,
                  Decorator decorate = {});
  // Matches path and method; fills request.path_params. HEAD matches GET routes.
  RouteMatch Find(Request& request) const;
  // Every (method, pattern) in the order added. Read-only: the table itself, never a copy kept
  // elsewhere, so a listing cannot drift from what is served.
  std::vector<RouteEntry> Entries() const;

 private:
  Route& Insert(std::string method, std::string pattern, Decorator decorate);
  std::vector<Route> routes_;
};

}  // namespace oakgate::http
