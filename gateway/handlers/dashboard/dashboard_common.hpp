#pragma once
// What every /dashboard page shares (issue 9): the signed-in visitor from the session cookie
// (else a redirect to the login page that comes back here), CSRF-checked form posts, the
// page layout and its headers, and the API's field errors shown next to the field.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gateway/apikey/key_service.hpp"
#include "gateway/handlers/web/web_context.hpp"
#include "gateway/http/params.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::handlers::dashboard {

struct DashboardContext {
  web::WebContext& web;
  store::Database& db;
  apikey::KeyService& keys;
};

struct Visitor {
  store::Session session;
  std::string cookie;  // the session cookie's value: the CSRF binding
  std::string csrf;    // the token for this page's forms
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

// The field and description of one of the API's 400/409 answers ({"error_description",
// "field"}), to show next to the field.
struct FieldError {
  std::string field;
  std::string message;
};
FieldError FieldErrorOf(const http::Response& api_answer);
// A form value as the API's JSON would carry it: a number when it is one, else the text (the
// API's reader then names the field).
nlohmann::json NumberOrText(const std::string& text);

// Puts a form's error into the view: "<form>_error" (the summary at the top of the form) and
// "<form>_error_<field>" (next to the field).
void AddFormError(nlohmann::json& view, std::string_view form, const FieldError& error);
// An audit event for a change made from the dashboard, written with the change.
store::AuditEvent DashboardAudit(const Visitor& visitor, const http::Request& req, std::string type,
                                 std::string subject,
                                 nlohmann::json details = nlohmann::json::object());

std::string Time(int64_t unix_seconds);
std::string TimeOr(const std::optional<int64_t>& unix_seconds, std::string_view otherwise);
std::string JoinWords(const std::vector<std::string>& words);
std::vector<std::string> SplitWords(std::string_view text);
// Only the visitor's admin flag opens the admin pages; everyone else gets the same 404 as
// for a page that does not exist.
inline bool IsAdmin(const Visitor& v) { return v.session.is_admin; }

}  // namespace oakgate::handlers::dashboard
