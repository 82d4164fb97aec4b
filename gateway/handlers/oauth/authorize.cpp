// GET /oauth/authorize and POST /oauth/authorize (the consent form). The order of checks is
// the AuthorizeService's; this file adds the session (RFC 9700 §4.11.2: the user is
// authenticated before any error is redirected to the client) and the pages.
#include <nlohmann/json.hpp>

#include "gateway/handlers/oauth/endpoints.hpp"
#include "gateway/handlers/web/pages.hpp"
#include "gateway/http/form.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::oauth {
namespace {

using oakgate::oauth::AuthorizationRequest;
using oakgate::oauth::AuthorizeService;
using oakgate::oauth::ParamList;

constexpr const char* kConsentPurpose = "consent";

constexpr int kFound = 302;
// The consent POST is answered with 303 so that the browser follows with a GET and never
// re-sends the form (RFC 9700 §4.12: not 307, SHOULD be 303). A GET keeps 302.
constexpr int kSeeOther = 303;

http::Response Redirect(const std::string& location, int status = kFound) {
  http::Response r = http::Response::Redirect(status, location);
  r.Set("Cache-Control", "no-store");
  r.Set("Referrer-Policy", "no-referrer");
  return r;
}

http::Response Page(const OAuthContext& ctx, int status, const std::string& title,
                    const std::string& message) {
  return web::ErrorPage(ctx.web.templates, status, title, message);
}

http::Response LoginRequired(const OAuthContext& ctx, const http::Request& request) {
  std::string login = "/web/login?return_to=" + util::PercentEncode(request.target);
  if (request.WantsJson()) {
    nlohmann::json body = {{"error", "AUTH_REQUIRED"}, {"login_url", ctx.issuer + login}};
    http::Response r = http::Response::Json(401, body.dump());
    r.Set("Cache-Control", "no-store");
    return r;
  }
  return Redirect(login);
}

std::optional<store::Session> CurrentSession(const OAuthContext& ctx, const http::Request& request,
                                             std::string* cookie_value) {
  auto cookie = request.Cookie(ctx.web.SessionCookieName());
  if (!cookie) return std::nullopt;
  *cookie_value = *cookie;
  return ctx.web.sessions.Current(*cookie);
}

http::Response ConsentPage(const OAuthContext& ctx, const AuthorizationRequest& r,
                           const ParamList& params, const std::string& session_cookie) {
  nlohmann::json scopes = nlohmann::json::array();
  for (const auto& s : r.scopes) scopes.push_back({{"name", s}});
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& [name, value] : params) fields.push_back({{"name", name}, {"value", value}});
  nlohmann::json resources = nlohmann::json::array();
  for (const auto& res : r.resources) resources.push_back({{"uri", res.uri}, {"name", res.name}});
  nlohmann::json view = {
      {"resources", resources},
      {"has_resources", !r.resources.empty()},
      {"registered", r.target.client.registered},
      {"registered_on", util::FormatRfc3339(r.target.client.created_at).substr(0, 10)},
      {"client_name", r.target.client.name.empty() ? r.target.client.id : r.target.client.name},
      {"client_id", r.target.client.id},
      {"redirect_uri", r.target.redirect_uri},
      {"scopes", scopes},
      {"has_scopes", !r.scopes.empty()},
      {"loopback", r.loopback_public},
      {"fields", fields},
      {"csrf", ctx.web.csrf.Token(kConsentPurpose, session_cookie)}};
  // The approve POST is answered with a redirect to the client: CSP form-action must allow it.
  return web::HtmlPage(200, ctx.web.templates.Render("consent.html", view),
                       oakgate::oauth::RedirectOrigins(r.target));
}

// Everything after the parameters are known; `decision` is set for the consent POST.
http::Response Continue(const OAuthContext& ctx, const http::Request& request,
                        const ParamList& params, const std::optional<std::string>& decision,
                        const std::optional<std::string>& csrf) {
  auto target = ctx.authorize.ResolveClient(params);
  if (!target) {
    return Page(ctx, target.error().status, target.error().title, target.error().message);
  }
  std::string cookie;
  auto session = CurrentSession(ctx, request, &cookie);
  if (!session) {
    if (decision) {
      return Page(ctx, 401, "Signed out",
                  "Your session has ended. Return to the application and try again.");
    }
    return LoginRequired(ctx, request);
  }
  if (decision && (!csrf || !ctx.web.csrf.Check(kConsentPurpose, cookie, *csrf))) {
    return Page(ctx, 403, "Form expired",
                "This consent form expired. Return to the application and try again.");
  }
  const int redirect_status = decision ? kSeeOther : kFound;
  auto checked = ctx.authorize.Validate(params, target.value());
  if (!checked && AuthorizeService::ErrorsAsPage(target.value().client)) {
    return web::ErrorPage(ctx.web.templates, 400, "Authorization failed",
                          checked.error().description,
                          oakgate::oauth::ErrorString(checked.error().code));
  }
  if (!checked) {
    return Redirect(ctx.authorize.ErrorRedirect(target.value(), checked.error().code,
                                                checked.error().description),
                    redirect_status);
  }
  const AuthorizationRequest& r = checked.value();
  oakgate::oauth::Caller caller{request.client_address, request.request_id};
  if (decision) {
    if (*decision == "deny") {
      ctx.authorize.RecordDenied(r, session->user_id, caller);
      if (AuthorizeService::ErrorsAsPage(r.target.client)) {
        return web::ErrorPage(
            ctx.web.templates, 403, "Access denied",
            "You denied the request. You can close this window.",
            oakgate::oauth::ErrorString(oakgate::oauth::ErrorCode::kAccessDenied));
      }
      return Redirect(
          ctx.authorize.ErrorRedirect(r.target, oakgate::oauth::ErrorCode::kAccessDenied,
                                      "the user denied the request"),
          redirect_status);
    }
    if (*decision != "approve") return Page(ctx, 400, "Invalid request", "Unknown decision.");
    if (!r.target.client.first_party) ctx.authorize.RememberConsent(r, session->user_id, caller);
    return Redirect(ctx.authorize.IssueCode(r, session->user_id, caller), redirect_status);
  }
  if (ctx.authorize.NeedsConsentPage(r, session->user_id)) {
    return ConsentPage(ctx, r, params, cookie);
  }
  return Redirect(ctx.authorize.IssueCode(r, session->user_id, caller));
}

}  // namespace

http::Response Authorize(const OAuthContext& ctx, const http::Request& request) {
  http::FormError error;
  auto query = http::ParseUrlEncoded(request.raw_query, &error);
  if (!query) return Page(ctx, 400, "Invalid request", error.description);
  return Continue(ctx, request, query->items(), std::nullopt, std::nullopt);
}

http::Response AuthorizeDecision(const OAuthContext& ctx, const http::Request& request) {
  if (request.MediaType() != "application/x-www-form-urlencoded") {
    return Page(ctx, 415, "Unsupported form", "The form must be sent as a web form.");
  }
  http::FormError error;
  auto form = http::ParseUrlEncoded(request.body, &error);
  if (!form) return Page(ctx, 400, "Invalid request", error.description);
  if (form->Count("decision") > 1 || form->Count("csrf") > 1) {
    return Page(ctx, 400, "Invalid request", "A form field is repeated.");
  }
  ParamList params;
  for (const auto& [name, value] : form->items()) {
    if (name != "decision" && name != "csrf") params.emplace_back(name, value);
  }
  return Continue(ctx, request, params, form->Get("decision").value_or(""), form->Get("csrf"));
}

}  // namespace oakgate::handlers::oauth
