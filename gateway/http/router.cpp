#include "gateway/http/router.hpp"

#include <algorithm>

#include "gateway/util/strings.hpp"

namespace oakgate::http {
namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  for (std::string_view s : util::Split(path, '/')) out.emplace_back(s);
  return out;
}

bool MatchSegments(const Route& route, const std::vector<std::string>& parts,
                   std::vector<std::pair<std::string, std::string>>* params) {
  if (route.segments.size() != parts.size()) return false;
  std::vector<std::pair<std::string, std::string>> found;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      if (parts[i].empty()) return false;
      found.emplace_back(seg.substr(1, seg.size() - 2), parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  *params = std::move(found);
  return true;
}

}  // namespace

Route& Router::Insert(std::string method, std::string pattern, Decorator decorate) {
  Route route;
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.segments = SplitPath(route.pattern);
  route.decorate = std::move(decorate);
  routes_.push_back(std::move(route));
  return routes_.back();
}

void Router::Add(std::string method, std::string pattern, Exec exec, Handler handler,
                 Decorator decorate) {
  Route& route = Insert(std::move(method), std::move(pattern), std::move(decorate));
  if (exec == Exec::kPool) {
    route.worker = std::move(handler);
    return;
  }
  route.attempt = [handler = std::move(handler)](Request& req, Reply) {
    return Attempt::Answer(handler(req));
  };
}

void Router::AddWithFastPath(std::string method, std::string pattern, FastHandler fast,
                             Handler handler, Decorator decorate) {
  Route& route = Insert(std::move(method), std::move(pattern), std::move(decorate));
  route.worker = std::move(handler);
  route.attempt = [fast = std::move(fast)](Request& req, Reply) {
    std::optional<Response> hit = fast(req);
    return hit ? Attempt::Answer(std::move(*hit)) : Attempt::Decline();
  };
}

void Router::AddWithAsyncPath(std::string method, std::string pattern, AsyncHandler async,
                              Handler handler, Decorator decorate) {
  Route& route = Insert(std::move(method), std::move(pattern), std::move(decorate));
  route.worker = std::move(handler);
  route.may_defer = true;
  route.attempt = [async = std::move(async)](Request& req, Reply reply) {
    return async(req, std::move(reply)) ? Attempt::Defer() : Attempt::Decline();
  };
}

void Router::AddParking(std::string method, std::string pattern, ParkingHandler handler,
                        Decorator decorate) {
  Route& route = Insert(std::move(method), std::move(pattern), std::move(decorate));
  route.parking = std::move(handler);
}

RouteMatch Router::Find(Request& request) const {
  RouteMatch match;
  auto parts = SplitPath(request.path);
  std::vector<std::string> allowed;
  const std::string& method = request.method == "HEAD" ? std::string("GET") : request.method;
  for (const auto& route : routes_) {
    std::vector<std::pair<std::string, std::string>> params;
    if (!MatchSegments(route, parts, &params)) continue;
    if (route.method == method) {
      request.path_params = std::move(params);
      match.route = &route;
      match.status = 200;
      return match;
    }
    allowed.push_back(route.method);
    if (route.method == "GET") allowed.emplace_back("HEAD");
  }
  if (!allowed.empty()) {
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    match.status = 405;
    for (const auto& m : allowed) match.allow += (match.allow.empty() ? "" : ", ") + m;
  }
  return match;
}

std::vector<RouteEntry> Router::Entries() const {
  std::vector<RouteEntry> out;
  out.reserve(routes_.size());
  for (const auto& route : routes_) out.push_back({route.method, route.pattern});
  return out;
}

}  // namespace oakgate::http
