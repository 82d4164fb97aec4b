#include "gateway/handlers/web/logout.hpp"

#include <nlohmann/json.hpp>

#include "gateway/handlers/web/pages.hpp"
#include "gateway/http/cookies.hpp"

namespace oakgate::handlers::web {

http::Response ShowHome(const WebContext& ctx, const http::Request& request) {
  auto cookie = request.Cookie(ctx.SessionCookieName());
  auto session = cookie ? ctx.sessions.Current(*cookie) : std::nullopt;
  if (!session) return http::Response::Redirect(302, "/web/login?return_to=%2F");
  nlohmann::json view = {{"email", session->email},
                         {"csrf", ctx.csrf.Token(kSessionFormPurpose, *cookie)}};
  return HtmlPage(200, ctx.templates.Render("home.html", view));
}

http::Response SubmitLogout(const WebContext& ctx, const http::Request& request) {
  auto read = ReadForm(ctx.templates, request, "The form");
  if (!read) return read.error();
  const http::Params& fields = read.value();
  auto cookie = request.Cookie(ctx.SessionCookieName());
  if (cookie) {
    if (!ctx.csrf.Check(kSessionFormPurpose, *cookie, fields.Get("csrf").value_or(""))) {
      return ErrorPage(ctx.templates, 403, "Form expired",
                       "This sign-out form expired. Reload the page and try again.");
    }
    ctx.sessions.End(*cookie, request.client_address, request.request_id);
  }
  http::Response r = http::Response::Redirect(303, "/web/login");
  http::CookieSpec clear{ctx.SessionCookieName(), "", ctx.cookie_secure};
  clear.max_age = 0;
  r.Set("Set-Cookie", http::BuildSetCookie(clear));
  r.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace oakgate::handlers::web
