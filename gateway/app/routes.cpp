#include "gateway/app/routes.hpp"

#include <nlohmann/json.hpp>

#include "gateway/handlers/ops/health.hpp"
#include "gateway/handlers/ops/metrics.hpp"
#include "gateway/handlers/web/login.hpp"
#include "gateway/handlers/web/logout.hpp"
#include "gateway/handlers/web/pages.hpp"

namespace oakgate::app {

using http::Exec;

http::Router BuildRoutes(RouteDeps d) {
  http::Router r;
  r.Add("GET", "/healthz", Exec::kInline, handlers::ops::Healthz);
  r.Add("GET", "/metrics", Exec::kInline, handlers::ops::MetricsPage);
  r.Add("GET", "/readyz", Exec::kPool, [&db = d.db, &draining = d.draining](http::Request& req) {
    return handlers::ops::Readyz(db, draining, req);
  });
  auto& web = d.web;
  r.Add("GET", "/", Exec::kPool,
        [&web](http::Request& req) { return handlers::web::ShowHome(web, req); });
  // The login page needs no database, but POST runs scrypt and queries: pool.
  r.Add("GET", "/web/login", Exec::kInline,
        [&web](http::Request& req) { return handlers::web::ShowLogin(web, req); });
  r.Add("POST", "/web/login", Exec::kPool,
        [&web](http::Request& req) { return handlers::web::SubmitLogin(web, req); });
  r.Add("POST", "/web/logout", Exec::kPool,
        [&web](http::Request& req) { return handlers::web::SubmitLogout(web, req); });
  return r;
}

http::Response RenderError(const render::Templates& templates, const http::Request* request,
                           int status, std::string_view code, std::string_view message) {
  std::string path = request ? request->path : "";
  bool html = path == "/" || path.rfind("/web/", 0) == 0 || path.rfind("/dashboard", 0) == 0 ||
              path == "/oauth/authorize";
  if (html) {
    std::string title = status == 503   ? "Temporarily unavailable"
                        : status == 404 ? "Not found"
                        : status == 405 ? "Method not allowed"
                        : status >= 500 ? "Something went wrong"
                                        : "Bad request";
    return handlers::web::ErrorPage(templates, status, title, message, code);
  }
  nlohmann::json body = {{"error", code}, {"error_description", message}};
  http::Response r = http::Response::Json(status, body.dump());
  r.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace oakgate::app
