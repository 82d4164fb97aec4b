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

void Router::Add(std::string method, std::string pattern, Exec exec, Handler handler) {
  Route route{std::move(method), std::move(pattern), exec, std::move(handler), {}, {}, {}};
  route.segments = SplitPath(route.pattern);
  routes_.push_back(std::move(route));
}

void Router::AddWithFastPath(std::string method, std::string pattern, FastHandler fast,
                             Handler handler) {
  Add(std::move(method), std::move(pattern), Exec::kPool, std::move(handler));
  routes_.back().fast = std::move(fast);
}

void Router::AddWithAsyncPath(std::string method, std::string pattern, AsyncHandler async,
                              Handler handler) {
  Add(std::move(method), std::move(pattern), Exec::kPool, std::move(handler));
  routes_.back().async = std::move(async);
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
