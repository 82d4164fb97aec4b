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

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/agents/{agent_id}"
  Exec exec;
  Handler handler;
  std::vector<std::string> segments;
  FastHandler fast;    // pool routes only; may be empty
  AsyncHandler async;  // pool routes only; may be empty
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
  void Add(std::string method, std::string pattern, Exec exec, Handler handler);
  // A pool route whose requests are first offered to `fast` on the reactor thread.
  void AddWithFastPath(std::string method, std::string pattern, FastHandler fast, Handler handler);
  // A pool route whose requests are first offered to `async` on the reactor thread.
  void AddWithAsyncPath(std::string method, std::string pattern, AsyncHandler async,
                        Handler handler);
  // Matches path and method; fills request.path_params. HEAD matches GET routes.
  RouteMatch Find(Request& request) const;
  // Every (method, pattern) in the order added. Read-only: the table itself, never a copy kept
  // elsewhere, so a listing cannot drift from what is served.
  std::vector<RouteEntry> Entries() const;

 private:
  std::vector<Route> routes_;
};

}  // namespace oakgate::http
