// /dashboard/admin/...: users and clients, for administrators only (manage::AdminService).
// Anyone else gets the 404 of a page that does not exist.
#include "gateway/handlers/dashboard/pages.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::dashboard {

http::Response ShowUsers(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  auto listed = ctx.admin.Users(Who(v.value(), req));
  if (!listed) return NotFoundPage(ctx);
  nlohmann::json users = nlohmann::json::array();
  for (const auto& u : listed.value()) {
    users.push_back({{"id", u.id},
                     {"email", u.email},
                     {"admin", u.is_admin},
                     {"disabled", u.disabled},
                     {"self", u.id == v.value().session.user_id},
                     {"created_at", Time(u.created_at)}});
  }
  return Page(ctx, v.value(), 200, "Users", "users", "dashboard_admin_users.html",
              {{"users", users}});
}

http::Response DisableUser(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/admin/users");
  if (!post) return post.error();
  auto done =
      ctx.admin.DisableUser(Who(post.value().visitor, req), req.PathParam("user_id").value_or(""));
  if (done) return SeeOther("/dashboard/admin/users");
  // Their own account: said plainly. Not an administrator, or no such user: no such page.
  if (done.error().kind == manage::ErrorKind::kConflict) {
    return BadRequestPage(ctx, done.error().message);
  }
  return NotFoundPage(ctx);
}

http::Response ShowClients(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  auto listed = ctx.admin.Clients(Who(v.value(), req));
  if (!listed) return NotFoundPage(ctx);
  nlohmann::json clients = nlohmann::json::array();
  for (const auto& c : listed.value()) {
    clients.push_back({{"id", c.id},
                       {"name", c.name},
                       {"type", c.confidential ? "confidential" : "public"},
                       {"first_party", c.first_party},
                       {"redirect_uris", util::JoinList(c.redirect_uris)},
                       {"scopes", util::JoinList(c.scopes)},
                       {"grant_types", util::JoinList(c.grant_types)},
                       {"created_at", Time(c.created_at)}});
  }
  return Page(ctx, v.value(), 200, "Clients", "clients", "dashboard_admin_clients.html",
              {{"clients", clients}});
}

}  // namespace oakgate::handlers::dashboard
