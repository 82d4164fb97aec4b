#pragma once
// What every /dashboard page shares (issue 9): the signed-in visitor from the session cookie
// (else a redirect to the login page that comes back here), CSRF-checked form posts, the
// page layout and its headers, and the services' errors shown next to the field.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gateway/handlers/web/web_context.hpp"
#include "gateway/http/params.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/manage/fields.hpp"
#include "gateway/manage/services.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::handlers::dashboard {

struct DashboardContext {
  web::WebContext& web;
  manage::AgentService& agents;
  manage::ToolService& tools;
  manage::RuleService& rules;
  manage::KeyService& keys;
  manage::ActivityService& activity;
  manage::CredentialService& credentials;
  manage::AdminService& admin;
  manage::OrgService& orgs;
  manage::UsageService& usage;
  manage::ApprovalService& approvals;
  manage::WebhookService& webhooks;
};

// The cookie naming the organization the dashboard shows (its id, which a rename of the slug
// does not change). Not a secret: the membership is checked on every request, and a stale or
// foreign value falls back to the visitor's personal organization. With Secure cookies it is
// __Host- prefixed like the session cookie, so a sibling host cannot plant one.
inline constexpr std::string_view kOrgCookie = "oakgate_org";
std::string OrgCookieName(const web::WebContext& web);
// Set-Cookie choosing `org_id` (empty: forgetting the choice).
std::string OrgCookie(const web::WebContext& web, const std::string& org_id);

struct Visitor {
  store::Session session;
  std::string cookie;     // the session cookie's value: the CSRF binding
  std::string csrf;       // the token for this page's forms
  store::Membership org;  // the organization the dashboard acts in, with the visitor's role
};

struct FormPost {
  Visitor visitor;
  http::Params fields;
};

// The signed-in visitor, or a 302 to /web/login?return_to=<this page>.
util::Result<Visitor, http::Response> RequireVisitor(const DashboardContext& ctx,
                                                     const http::Request& req);
// A form POST with a live session and a valid CSRF token. An expired session or a stale token
// answers 303 to the login page, which returns to `back` (the page the form was on); a body
// that is not a form is a 4xx page.
util::Result<FormPost, http::Response> RequireForm(const DashboardContext& ctx,
                                                   const http::Request& req,
                                                   const std::string& back);

// A form that names the organization it was shown for (its hidden "org"): after a switch in
// another window it would otherwise act in the organization switched to, so it is refused
// with a 400 page, changing nothing.
std::optional<http::Response> OtherOrganization(const DashboardContext& ctx, const FormPost& post);

// `body_template` rendered into the layout (navigation, sign-out form) with the dashboard's
// headers: CONTRACT §3's, plus script-src 'self' for the copy button's script file.
http::Response Page(const DashboardContext& ctx, const Visitor& visitor, int status,
                    std::string_view title, std::string_view section,
                    const std::string& body_template, nlohmann::json view);
http::Response NotFoundPage(const DashboardContext& ctx);
http::Response BadRequestPage(const DashboardContext& ctx, std::string_view message);
// 303 to a page of the dashboard after a successful POST (issue 29): the browser's history
// then holds a GET, so reload and Back never send the form again.
http::Response SeeOther(const std::string& location);
// The status of a form POST answered with the form again and its errors (issue 29): never
// 200, so nothing mistakes it for a success; 422 whatever the API would have answered
// (400, 404 for another user's agent, 409 for a name in use).
inline constexpr int kFormInvalid = 422;

// The signed-in visitor as the services know them: the user with every gateway scope (and
// their admin flag).
manage::Principal Who(const Visitor& visitor, const http::Request& req);
// A number typed into a form field, trimmed; the invalid-input error naming it otherwise.
std::optional<manage::DomainError> FormInt(const std::string& text, const char* name,
                                           std::optional<int64_t>& out);

// Puts a service's error into the view: "<form>_error" (the summary at the top of the form)
// and "<form>_error_<field>" (next to the field; `field` when the error names none); what the
// visitor's role does not allow (forbidden) goes to "refused", which the layout shows at the
// top of the page, since the page shows no form for it.
void AddFormError(nlohmann::json& view, std::string_view form, const manage::DomainError& error,
                  std::string_view field = "");
std::string Time(int64_t unix_seconds);
// JSON text stored as sent (a validation's context) indented for a <pre>; the text as it is
// when it does not parse, "" when there is none. The template escapes it.
std::string PrettyJson(const std::optional<std::string>& json_text);
std::string TimeOr(const std::optional<int64_t>& unix_seconds, std::string_view otherwise);

}  // namespace oakgate::handlers::dashboard
