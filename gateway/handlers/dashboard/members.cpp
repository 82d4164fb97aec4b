// The organization the dashboard acts in (CONTRACT §9, issue 22): the header's switcher, the
// members page (roles, removal, leaving, invitations) and creating an organization.
// manage::OrgService and manage::InvitationService check every role; the page shows only the
// controls the visitor's role may use.
//
// A new invitation's link holds its token, which is shown once (only its SHA-256 is stored).
// The POST that makes it answers 303, like a new API key's, so that reload and Back never make
// a second one; the link waits for the page the 303 points at in a cookie scoped to that page
// alone, sealed to the session cookie (reveal.hpp), and that page clears the cookie as it
// shows the link: reloaded, it says the link was shown once.
#include <algorithm>
#include <regex>

#include "gateway/crypto/base64.hpp"
#include "gateway/handlers/dashboard/pages.hpp"
#include "gateway/handlers/dashboard/reveal.hpp"
#include "gateway/http/cookies.hpp"

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

// Owners invite with any role; admins as member or admin (InvitationService's rule).
bool MayInviteAs(Role inviter, Role role) {
  return inviter == Role::kOwner || (inviter == Role::kAdmin && role != Role::kOwner);
}

nlohmann::json Invitations(DashboardContext& ctx, const Visitor& v, const http::Request& req) {
  nlohmann::json pending = nlohmann::json::array();
  manage::InvitationService* service = ctx.web.invitations;
  if (!service) return pending;
  auto list = service->List(Who(v, req), v.org.org.id);
  int64_t now = service->Now();
  for (const auto& i : list ? list.value() : std::vector<store::Invitation>{}) {
    if (i.accepted_at || i.revoked_at || i.expires_at <= now) continue;
    pending.push_back({{"id", i.id},
                       {"email", i.email},
                       {"role", store::RoleName(i.role)},
                       {"expires_at", Time(i.expires_at)},
                       {"may_revoke", MayInviteAs(v.org.role, i.role)}});
  }
  return pending;
}

http::Response RenderMembers(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                             int status, nlohmann::json view) {
  const store::Organization& org = v.org.org;
  nlohmann::json invite_roles = nlohmann::json::array();
  std::string chosen = view.value("invite_role", "member");
  for (Role r : {Role::kMember, Role::kAdmin, Role::kOwner}) {
    if (!MayInviteAs(v.org.role, r)) continue;
    invite_roles.push_back(
        {{"value", store::RoleName(r)}, {"selected", store::RoleName(r) == chosen}});
  }
  nlohmann::json invitations = Invitations(ctx, v, req);
  view["invitations"] = invitations;
  view["has_invitations"] = !invitations.empty();
  // Members do not invite; a personal organization has its owner only.
  view["may_invite"] = !invite_roles.empty() && !org.personal && ctx.web.invitations != nullptr;
  view["invite_roles"] = invite_roles;
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

// A member's change that failed: the page again with the service's message at the top; a
// member who is gone meanwhile, or never was, is a 404 page.
http::Response MemberFailed(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                            const manage::DomainError& error) {
  if (error.kind == manage::ErrorKind::kNotFound) return NotFoundPage(ctx);
  nlohmann::json view;
  AddFormError(view, "members", error);
  return RenderMembers(ctx, v, req, kFormInvalid, std::move(view));
}

// The cookie carrying a new invitation's link to the one page that shows it (Path), for the
// few seconds between the 303 and that page's GET; never readable by a script.
std::string RevealCookieName(const DashboardContext& ctx) {
  return ctx.web.cookie_secure ? "__Host-oakgate_invite" : "oakgate_invite";
}
constexpr long long kRevealSeconds = 600;

std::string CreatedPage(const std::string& invitation_id) {
  return std::string(kMembersPage) + "/invitations/" + invitation_id + "/created";
}

std::string RevealCookie(const DashboardContext& ctx, const std::string& invitation_id,
                         const std::string& value) {
  http::CookieSpec spec{RevealCookieName(ctx), value, ctx.web.cookie_secure};
  spec.same_site = "Strict";
  // A __Host- cookie must have Path=/ (RFC 6265bis §4.1.3.2); the plain one is scoped to the
  // page that shows the link.
  if (!ctx.web.cookie_secure) spec.path = CreatedPage(invitation_id);
  spec.max_age = value.empty() ? 0 : kRevealSeconds;
  return http::BuildSetCookie(spec);
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

http::Response CreateInvitation(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, kMembersPage);
  if (!post) return post.error();
  if (auto refused = OtherOrganization(ctx, post.value())) return *refused;
  if (!ctx.web.invitations) return NotFoundPage(ctx);
  const Visitor& v = post.value().visitor;
  const auto& f = post.value().fields;
  manage::InvitationInput input;
  input.email = f.Get("email").value_or("");
  input.role = f.Get("role").value_or("member");
  auto created = ctx.web.invitations->Create(Who(v, req), v.org.org.id, input);
  if (!created) {
    nlohmann::json view = {{"invite_email", *input.email}, {"invite_role", *input.role}};
    AddFormError(view, "invite", created.error());
    return RenderMembers(ctx, v, req, kFormInvalid, std::move(view));
  }
  const std::string& id = created.value().invitation.id;
  http::Response r = SeeOther(CreatedPage(id));
  r.Set(
      "Set-Cookie",
      RevealCookie(ctx, id,
                   crypto::Base64UrlEncode(SealReveal(v.cookie, id, created.value().invite_url))));
  return r;
}

http::Response ShowCreatedInvitation(DashboardContext& ctx, http::Request& req) {
  auto visitor = RequireVisitor(ctx, req);
  if (!visitor) return visitor.error();
  const Visitor& v = visitor.value();
  std::string id = req.PathParam("invitation_id").value_or("");
  if (!ctx.web.invitations) return NotFoundPage(ctx);
  auto list = ctx.web.invitations->List(Who(v, req), v.org.org.id);
  if (!list) return NotFoundPage(ctx);
  auto found = std::find_if(list.value().begin(), list.value().end(),
                            [&id](const store::Invitation& i) { return i.id == id; });
  if (found == list.value().end()) return NotFoundPage(ctx);
  const store::Invitation* invitation = &*found;
  std::optional<std::string> link;
  if (auto sealed = req.Cookie(RevealCookieName(ctx))) {
    if (auto bytes = crypto::Base64UrlDecode(*sealed)) link = OpenReveal(v.cookie, id, *bytes);
  }
  nlohmann::json view = {{"email", invitation->email},
                         {"role", store::RoleName(invitation->role)},
                         {"expires_at", Time(invitation->expires_at)},
                         {"revealed", link.has_value()}};
  if (link) view["link"] = *link;
  http::Response r = Page(ctx, v, 200, link ? "Your invitation link" : "Invitation created",
                          "members", "dashboard_invitation_created.html", view);
  // Shown at most this once: the browser forgets the link with this answer.
  r.Set("Set-Cookie", RevealCookie(ctx, id, ""));
  return r;
}

http::Response RevokeInvitation(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, kMembersPage);
  if (!post) return post.error();
  if (auto refused = OtherOrganization(ctx, post.value())) return *refused;
  if (!ctx.web.invitations) return NotFoundPage(ctx);
  const Visitor& v = post.value().visitor;
  auto done = ctx.web.invitations->Revoke(Who(v, req), v.org.org.id,
                                          req.PathParam("invitation_id").value_or(""));
  if (!done) return MemberFailed(ctx, v, req, done.error());
  return SeeOther(kMembersPage);
}

}  // namespace oakgate::handlers::dashboard
