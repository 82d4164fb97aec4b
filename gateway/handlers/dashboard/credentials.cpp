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
  const std::string& user = v.value().session.user_id;
  nlohmann::json sessions = nlohmann::json::array();
  for (const auto& s : ctx.db.Sessions().ListForUser(user)) {
    sessions.push_back({{"id", std::to_string(s.id)},
                        {"created_at", Time(s.created_at)},
                        {"last_seen_at", Time(s.last_seen_at)},
                        {"expires_at", Time(s.expires_at)},
                        {"client_address", s.client_address},
                        {"user_agent", s.user_agent},
                        {"current", s.id == v.value().session.id}});
  }
  nlohmann::json grants = nlohmann::json::array();
  for (const auto& g : ctx.db.Tokens().ListGrants(user)) {
    grants.push_back({{"id", std::to_string(g.family_id)},
                      {"client_id", g.client_id},
                      {"client_name", g.client_name},
                      {"scopes", JoinWords(g.scopes)},
                      {"created_at", Time(g.created_at)},
                      {"last_used_at", Time(g.last_used_at)},
                      {"expires_at", Time(g.expires_at)}});
  }
  nlohmann::json keys = nlohmann::json::array();
  auto listed = ctx.keys.List(Who(v.value(), req));
  for (const auto& k : listed ? listed.value() : std::vector<store::ApiKey>{}) {
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
  if (!id || !ctx.db.Sessions().EndForUser(
                 v.session.user_id, *id, Who(v, req).Audit("session.ended", std::to_string(*id)))) {
    return NotFoundPage(ctx);
  }
  if (*id == v.session.id) return SignedOut(ctx);
  return SeeOther("/dashboard/credentials");
}

http::Response RevokeGrant(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/credentials");
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  auto id = IdParam(req, "grant_id");
  if (!id || !ctx.db.Tokens().RevokeGrantForUser(
                 v.session.user_id, *id, Who(v, req).Audit("grant.revoked", std::to_string(*id)))) {
    return NotFoundPage(ctx);
  }
  return SeeOther("/dashboard/credentials");
}

http::Response SignOutEverywhere(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/credentials");
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  ctx.db.Users().SignOutEverywhere(v.session.user_id,
                                   Who(v, req).Audit("user.signed_out_everywhere", ""));
  return SignedOut(ctx);
}

}  // namespace oakgate::handlers::dashboard
