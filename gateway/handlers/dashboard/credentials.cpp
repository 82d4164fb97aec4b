// /dashboard/credentials: every live credential of the user — browser sessions (sign out
// one), OAuth grants per client (revoke the family), API keys — and "sign out everywhere",
// which ends every session and revokes every refresh family.
#include "gateway/handlers/dashboard/pages.hpp"
#include "gateway/handlers/web/pages.hpp"
#include "gateway/http/cookies.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::dashboard {
namespace {

std::optional<int64_t> IdParam(const http::Request& req, const char* name) {
  auto n = util::ParseInt(req.PathParam(name).value_or(""));
  if (!n || *n < 1) return std::nullopt;
  return *n;
}

http::Response SignedOut(const DashboardContext& ctx) {
  http::Response r = http::Response::Redirect(303, "/web/login");
  http::CookieSpec clear{ctx.web.SessionCookieName(), "", ctx.web.cookie_secure};
  clear.max_age = 0;
  r.Set("Set-Cookie", http::BuildSetCookie(clear));
  r.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace

http::Response ShowCredentials(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  manage::Principal who = Who(v.value(), req);
  auto listed = ctx.credentials.List(who);
  const manage::Credentials& own = listed ? listed.value() : manage::Credentials{};
  nlohmann::json sessions = nlohmann::json::array();
  for (const auto& s : own.sessions) {
    sessions.push_back({{"id", std::to_string(s.id)},
                        {"created_at", Time(s.created_at)},
                        {"last_seen_at", Time(s.last_seen_at)},
                        {"expires_at", Time(s.expires_at)},
                        {"client_address", s.client_address},
                        {"user_agent", s.user_agent},
                        {"current", s.id == v.value().session.id}});
  }
  nlohmann::json grants = nlohmann::json::array();
  for (const auto& g : own.grants) {
    grants.push_back({{"id", std::to_string(g.family_id)},
                      {"client_id", g.client_id},
                      {"client_name", g.client_name},
                      {"scopes", util::JoinList(g.scopes)},
                      {"created_at", Time(g.created_at)},
                      {"last_used_at", Time(g.last_used_at)},
                      {"expires_at", Time(g.expires_at)}});
  }
  nlohmann::json keys = nlohmann::json::array();
  auto keys_listed = ctx.keys.List(who);
  for (const auto& k : keys_listed ? keys_listed.value() : std::vector<store::ApiKey>{}) {
    if (k.revoked_at || k.expired) continue;
    keys.push_back({{"key_id", k.key_id},
                    {"name", k.name},
                    {"expires_at", TimeOr(k.expires_at, "never")},
                    {"last_used_at", TimeOr(k.last_used_at, "never")}});
  }
  nlohmann::json view = {{"sessions", sessions},
                         {"grants", grants},
                         {"keys", keys},
                         {"has_grants", !grants.empty()},
                         {"has_keys", !keys.empty()}};
  return Page(ctx, v.value(), 200, "Credentials", "credentials", "dashboard_credentials.html",
              view);
}

http::Response EndSession(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/credentials");
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  auto id = IdParam(req, "session_id");
  if (!id || !ctx.credentials.EndSession(Who(v, req), *id)) return NotFoundPage(ctx);
  if (*id == v.session.id) return SignedOut(ctx);
  return SeeOther("/dashboard/credentials");
}

http::Response RevokeGrant(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/credentials");
  if (!post) return post.error();
  auto id = IdParam(req, "grant_id");
  if (!id || !ctx.credentials.RevokeGrant(Who(post.value().visitor, req), *id)) {
    return NotFoundPage(ctx);
  }
  return SeeOther("/dashboard/credentials");
}

http::Response SignOutEverywhere(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/credentials");
  if (!post) return post.error();
  ctx.credentials.SignOutEverywhere(Who(post.value().visitor, req));
  return SignedOut(ctx);
}

}  // namespace oakgate::handlers::dashboard
