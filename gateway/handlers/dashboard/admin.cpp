// /dashboard/admin/...: users and clients, for administrators only (users.is_admin, set by
// `oakgate user create --admin`). Anyone else gets the 404 of a page that does not exist.
#include "gateway/handlers/dashboard/pages.hpp"

namespace oakgate::handlers::dashboard {

http::Response ShowUsers(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  if (!IsAdmin(v.value())) return NotFoundPage(ctx);
  nlohmann::json users = nlohmann::json::array();
  for (const auto& u : ctx.db.Users().List()) {
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
  const Visitor& v = post.value().visitor;
  if (!IsAdmin(v)) return NotFoundPage(ctx);
  std::string id = req.PathParam("user_id").value_or("");
  if (!manage::IsUuid(id)) return NotFoundPage(ctx);
  // An administrator cannot lock themselves out from here (the CLI still can).
  if (id == v.session.user_id) {
    return BadRequestPage(ctx, "You cannot disable your own account from the dashboard.");
  }
  store::AuditEvent audit = Who(v, req).Audit("user.disabled", id);
  // The event belongs to the disabled user's trail; the admin is its actor.
  audit.user_id = id;
  if (!ctx.db.Users().DisableById(id, audit)) return NotFoundPage(ctx);
  return SeeOther("/dashboard/admin/users");
}

http::Response ShowClients(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  if (!IsAdmin(v.value())) return NotFoundPage(ctx);
  nlohmann::json clients = nlohmann::json::array();
  for (const auto& c : ctx.db.Clients().List()) {
    clients.push_back({{"id", c.id},
                       {"name", c.name},
                       {"type", c.confidential ? "confidential" : "public"},
                       {"first_party", c.first_party},
                       {"redirect_uris", JoinWords(c.redirect_uris)},
                       {"scopes", JoinWords(c.scopes)},
                       {"grant_types", JoinWords(c.grant_types)},
                       {"created_at", Time(c.created_at)}});
  }
  return Page(ctx, v.value(), 200, "Clients", "clients", "dashboard_admin_clients.html",
              {{"clients", clients}});
}

}  // namespace oakgate::handlers::dashboard
