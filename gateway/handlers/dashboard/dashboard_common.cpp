#include "gateway/handlers/dashboard/dashboard_common.hpp"

#include "gateway/handlers/web/logout.hpp"
#include "gateway/handlers/web/pages.hpp"
#include "gateway/http/cookies.hpp"
#include "gateway/http/form.hpp"
#include "gateway/util/errors.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::dashboard {
namespace {

constexpr const char* kCsp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'self'; "
    "connect-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

http::Response ToLogin(int status, const std::string& back) {
  http::Response r =
      http::Response::Redirect(status, "/web/login?return_to=" + util::PercentEncode(back));
  r.Set("Cache-Control", "no-store");
  return r;
}

// The organization named by the dashboard's cookie when the visitor is a member of it, else
// the visitor's personal one.
store::Membership ChosenOrg(const DashboardContext& ctx, const http::Request& req,
                            const store::Session& session) {
  manage::Principal who;
  who.user_id = session.user_id;
  if (auto chosen = req.Cookie(OrgCookieName(ctx.web)); chosen && !chosen->empty()) {
    if (auto m = ctx.orgs.Enter(who, *chosen)) return m.value();
  }
  auto personal = ctx.orgs.Enter(who, "");
  if (!personal) throw util::ServiceUnavailable("the visitor has no personal organization");
  return personal.value();
}

// The page of a section, where the organization switcher returns: a page of one organization's
// thing (an agent, a key) would be a 404 in the next.
std::string SectionPage(std::string_view section) {
  if (section == "summary") return "/dashboard";
  if (section == "users" || section == "clients") return "/dashboard/admin/" + std::string(section);
  return "/dashboard/" + std::string(section);
}

nlohmann::json OrgChoices(const DashboardContext& ctx, const Visitor& visitor) {
  manage::Principal who;
  who.user_id = visitor.session.user_id;
  nlohmann::json orgs = nlohmann::json::array();
  auto list = ctx.orgs.List(who);
  for (const auto& m : list ? list.value() : std::vector<store::Membership>{}) {
    orgs.push_back({{"id", m.org.id},
                    {"name", m.org.personal ? m.org.name + " (personal)" : m.org.name},
                    {"role", store::RoleName(m.role)},
                    {"current", m.org.id == visitor.org.org.id}});
  }
  return orgs;
}

std::string ThisPage(const http::Request& req) {
  return req.raw_query.empty() ? req.path : req.path + "?" + req.raw_query;
}

}  // namespace

util::Result<Visitor, http::Response> RequireVisitor(const DashboardContext& ctx,
                                                     const http::Request& req) {
  auto cookie = req.Cookie(ctx.web.SessionCookieName());
  auto session = cookie ? ctx.web.sessions.Current(*cookie) : std::nullopt;
  if (!session) return util::Fail(ToLogin(302, ThisPage(req)));
  Visitor v{*session, *cookie, ctx.web.csrf.Token(web::kSessionFormPurpose, *cookie),
            ChosenOrg(ctx, req, *session)};
  return v;
}

util::Result<FormPost, http::Response> RequireForm(const DashboardContext& ctx,
                                                   const http::Request& req,
                                                   const std::string& back) {
  if (req.MediaType() != "application/x-www-form-urlencoded") {
    return util::Fail(web::ErrorPage(ctx.web.templates, 415, "Unsupported form",
                                     "Forms must be sent as application/x-www-form-urlencoded."));
  }
  http::FormError error;
  auto fields = http::ParseUrlEncoded(req.body, &error);
  if (!fields) return util::Fail(BadRequestPage(ctx, error.description));
  if (auto repeated = fields->FirstRepeated()) {
    return util::Fail(BadRequestPage(ctx, "field repeated: " + *repeated));
  }
  auto cookie = req.Cookie(ctx.web.SessionCookieName());
  auto session = cookie ? ctx.web.sessions.Current(*cookie) : std::nullopt;
  // An expired session or a stale form: sign in (again) and come back to the page; nothing
  // is changed by this request.
  if (!session) return util::Fail(ToLogin(303, back));
  if (!ctx.web.csrf.Check(web::kSessionFormPurpose, *cookie, fields->Get("csrf").value_or(""))) {
    return util::Fail(ToLogin(303, back));
  }
  Visitor v{*session, *cookie, ctx.web.csrf.Token(web::kSessionFormPurpose, *cookie),
            ChosenOrg(ctx, req, *session)};
  return FormPost{std::move(v), std::move(*fields)};
}

std::optional<http::Response> OtherOrganization(const DashboardContext& ctx, const FormPost& post) {
  if (post.fields.Get("org").value_or("") == post.visitor.org.org.id) return std::nullopt;
  return BadRequestPage(ctx,
                        "This form was for another organization than the one the dashboard now "
                        "shows (switched in another window); nothing was changed.");
}

http::Response Page(const DashboardContext& ctx, const Visitor& visitor, int status,
                    std::string_view title, std::string_view section,
                    const std::string& body_template, nlohmann::json view) {
  view["csrf"] = visitor.csrf;
  // What the visitor's role allows, so that no page shows a control the services refuse.
  view["org_id"] = visitor.org.org.id;
  view["can_manage"] = visitor.org.role != store::Role::kMember;
  view["is_owner"] = visitor.org.role == store::Role::kOwner;
  view["my_role"] = store::RoleName(visitor.org.role);
  std::string body = ctx.web.templates.Render(body_template, view);
  nlohmann::json layout = {{"title", title},
                           {"email", visitor.session.email},
                           {"csrf", visitor.csrf},
                           {"admin", visitor.session.is_admin},
                           {"orgs", OrgChoices(ctx, visitor)},
                           {"org_name", visitor.org.org.name},
                           {"org_role", store::RoleName(visitor.org.role)},
                           {"back", SectionPage(section)},
                           {"body", body}};
  layout[std::string("nav_") + std::string(section)] = true;
  if (view.contains("refused")) layout["refused"] = view["refused"];
  http::Response r =
      web::HtmlPage(status, ctx.web.templates.Render("dashboard_layout.html", layout));
  r.Set("Content-Security-Policy", kCsp);
  return r;
}

std::string OrgCookieName(const web::WebContext& web) {
  return web.cookie_secure ? "__Host-" + std::string(kOrgCookie) : std::string(kOrgCookie);
}

std::string OrgCookie(const web::WebContext& web, const std::string& org_id) {
  http::CookieSpec spec{OrgCookieName(web), org_id, web.cookie_secure};
  // A choice kept for a year (a Max-Age browsers accept, RFC 6265bis caps it at 400 days);
  // Max-Age=0 deletes it.
  spec.max_age = org_id.empty() ? 0 : 365LL * 24 * 3600;
  return http::BuildSetCookie(spec);
}

http::Response NotFoundPage(const DashboardContext& ctx) {
  return web::ErrorPage(ctx.web.templates, 404, "Not found", "There is no such page.", "not_found");
}

http::Response BadRequestPage(const DashboardContext& ctx, std::string_view message) {
  return web::ErrorPage(ctx.web.templates, 400, "Bad request", message, "invalid_request");
}

http::Response SeeOther(const std::string& location) {
  http::Response r = http::Response::Redirect(303, location);
  r.Set("Cache-Control", "no-store");
  return r;
}

manage::Principal Who(const Visitor& visitor, const http::Request& req) {
  manage::Principal who =
      manage::SessionPrincipal(visitor.session.user_id, req.client_address, req.request_id);
  who.is_admin = visitor.session.is_admin;
  who.org_id = visitor.org.org.id;
  who.role = visitor.org.role;
  return who;
}

std::optional<manage::DomainError> FormInt(const std::string& text, const char* name,
                                           std::optional<int64_t>& out) {
  auto n = util::ParseInt(util::Trim(text));
  if (!n) return manage::Invalid(name, std::string(name) + " must be an integer").error;
  out = *n;
  return std::nullopt;
}

void AddFormError(nlohmann::json& view, std::string_view form, const manage::DomainError& error,
                  std::string_view field) {
  // What the visitor's role may not do has no form on its page to put the error in (the page
  // does not show it): the layout says it at the top of the page.
  if (error.kind == manage::ErrorKind::kForbidden) {
    view["refused"] = error.message;
    return;
  }
  std::string prefix(form);
  view[prefix + "_error"] = error.message;
  std::string at = error.field.empty() ? std::string(field) : error.field;
  if (!at.empty()) view[prefix + "_error_" + at] = error.message;
}

std::string Time(int64_t t) { return util::FormatRfc3339(t); }

std::string PrettyJson(const std::optional<std::string>& json_text) {
  if (!json_text) return "";
  auto j = nlohmann::json::parse(*json_text, nullptr, false);
  return j.is_discarded() ? *json_text
                          : j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string TimeOr(const std::optional<int64_t>& t, std::string_view otherwise) {
  return t ? util::FormatRfc3339(*t) : std::string(otherwise);
}

}  // namespace oakgate::handlers::dashboard
