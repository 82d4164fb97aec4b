// The organization the dashboard acts in (CONTRACT §9, issue 22): the header's switcher, the
// members page (roles, removal, leaving) and creating an organization. manage::OrgService
// checks every role; the page shows only the controls the visitor's role may use.
#include <regex>

#include "gateway/handlers/dashboard/pages.hpp"

namespace oakgate::handlers::dashboard {
namespace {

using store::Role;

constexpr const char* kMembersPage = "/dashboard/members";

// Where the switcher returns: a page of the dashboard named by the form, never another site.
bool IsDashboardPage(const std::string& path) {
  static const std::regex kPage("/dashboard(/[a-z-]{1,40}){0,3}");
  return path.size() <= 128 && std::regex_match(path, kPage);
}

// The roles `assigner` may give a member who has `from` (manage::OrgService::SetRole's rule):
// owners any; admins only between member and admin, never touching an owner.
std::vector<Role> Assignable(Role assigner, Role from) {
  if (assigner == Role::kOwner) return {Role::kOwner, Role::kAdmin, Role::kMember};
  if (assigner == Role::kAdmin && from != Role::kOwner) return {Role::kAdmin, Role::kMember};
  return {};
}

http::Response RenderMembers(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                             int status, nlohmann::json view) {
  const store::Organization& org = v.org.org;
  nlohmann::json members = nlohmann::json::array();
  auto list = ctx.orgs.Members(Who(v, req), org.id);
  for (const auto& m : list ? list.value() : std::vector<store::Member>{}) {
    bool self = m.user_id == v.session.user_id;
    nlohmann::json roles = nlohmann::json::array();
    for (Role r : Assignable(v.org.role, m.role)) {
      roles.push_back({{"value", store::RoleName(r)}, {"selected", r == m.role}});
    }
    members.push_back({{"user_id", m.user_id},
                       {"email", m.email},
                       {"role", store::RoleName(m.role)},
                       {"joined_at", Time(m.joined_at)},
                       {"self", self},
                       {"roles", roles},
                       {"may_set_role", !roles.empty()},
                       // Leaving is removing oneself; a personal organization keeps its owner.
                       {"may_leave", self && !org.personal},
                       {"may_remove", !self && !roles.empty()}});
  }
  view["members"] = members;
  view["org_name"] = org.name;
  view["org_slug"] = org.slug;
  view["org_personal"] = org.personal;
  view["max_agents"] = org.max_agents ? std::to_string(*org.max_agents) : "unlimited";
  view["monthly_decisions"] =
      org.monthly_decisions ? std::to_string(*org.monthly_decisions) : "unlimited";
  return Page(ctx, v, status, "Members", "members", "dashboard_members.html", view);
}

// A members form names the organization it was shown for: after a switch in another window
// it would otherwise act in the organization switched to.
std::optional<http::Response> OtherOrganization(DashboardContext& ctx, const FormPost& post) {
  if (post.fields.Get("org").value_or("") == post.visitor.org.org.id) return std::nullopt;
  return BadRequestPage(ctx,
                        "This form was for another organization than the one the dashboard now "
                        "shows (switched in another window); nothing was changed.");
}

// A member's change that failed: the page again with the service's message at the top; a
// member who is gone meanwhile, or never was, is a 404 page.
http::Response MemberFailed(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                            const manage::DomainError& error) {
  if (error.kind == manage::ErrorKind::kNotFound) return NotFoundPage(ctx);
  nlohmann::json view;
  AddFormError(view, "members", error);
  return RenderMembers(ctx, v, req, kFormInvalid, std::move(view));
}

}  // namespace

http::Response SwitchOrg(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard");
  if (!post) return post.error();
  const auto& f = post.value().fields;
  std::string back = f.Get("back").value_or("/dashboard");
  if (!IsDashboardPage(back)) return BadRequestPage(ctx, "back must be a page of the dashboard");
  // An organization the visitor is not a member of is "no such page", whatever exists.
  auto chosen = ctx.orgs.Get(Who(post.value().visitor, req), f.Get("org").value_or(""));
  if (!chosen) return NotFoundPage(ctx);
  http::Response r = SeeOther(back);
  r.Set("Set-Cookie", OrgCookie(ctx.web, chosen.value().org.id));
  return r;
}

http::Response ShowMembers(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  return RenderMembers(ctx, v.value(), req, 200, nlohmann::json::object());
}

http::Response SetMemberRole(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, kMembersPage);
  if (!post) return post.error();
  if (auto refused = OtherOrganization(ctx, post.value())) return *refused;
  const Visitor& v = post.value().visitor;
  auto done = ctx.orgs.SetRole(Who(v, req), v.org.org.id, req.PathParam("user_id").value_or(""),
                               post.value().fields.Get("role").value_or(""));
  if (!done) return MemberFailed(ctx, v, req, done.error());
  return SeeOther(kMembersPage);
}

http::Response RemoveMember(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, kMembersPage);
  if (!post) return post.error();
  if (auto refused = OtherOrganization(ctx, post.value())) return *refused;
  const Visitor& v = post.value().visitor;
  std::string user_id = req.PathParam("user_id").value_or("");
  auto done = ctx.orgs.RemoveMember(Who(v, req), v.org.org.id, user_id);
  if (!done) return MemberFailed(ctx, v, req, done.error());
  if (user_id != v.session.user_id) return SeeOther(kMembersPage);
  // Left: the dashboard goes back to the personal organization.
  http::Response r = SeeOther("/dashboard");
  r.Set("Set-Cookie", OrgCookie(ctx.web, ""));
  return r;
}

http::Response CreateOrg(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, kMembersPage);
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  const auto& f = post.value().fields;
  manage::OrgInput input;
  input.name = f.Get("name").value_or("");
  input.slug = f.Get("slug").value_or("");
  auto created = ctx.orgs.Create(Who(v, req), input);
  if (created) {
    // The dashboard goes to the new organization, whose owner the visitor now is.
    http::Response r = SeeOther(kMembersPage);
    r.Set("Set-Cookie", OrgCookie(ctx.web, created.value().id));
    return r;
  }
  nlohmann::json view = {{"new_org_name", *input.name}, {"new_org_slug", *input.slug}};
  AddFormError(view, "create_org", created.error());
  return RenderMembers(ctx, v, req, kFormInvalid, std::move(view));
}

}  // namespace oakgate::handlers::dashboard
