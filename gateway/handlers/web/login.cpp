#include "gateway/handlers/web/login.hpp"

#include <nlohmann/json.hpp>

#include "gateway/crypto/random.hpp"
#include "gateway/handlers/web/pages.hpp"
#include "gateway/http/cookies.hpp"
#include "gateway/http/form.hpp"
#include "gateway/session/return_to.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::web {
namespace {

constexpr const char* kPurpose = "login";
constexpr size_t kMaxEmail = 254;  // RFC 5321 path limit
constexpr size_t kMaxPassword = 1024;
const char* kInvalid = "Invalid email or password.";

struct LoginForm {
  int status = 200;
  std::string error;
  std::string notice;
  std::string email;
  std::string return_to = "/";
};

// The login form bound to the browser's CSRF cookie; a new cookie when it has none.
http::Response RenderForm(const WebContext& ctx, const http::Request& request,
                          const LoginForm& form) {
  FormBinding binding = PreSessionBinding(ctx, request);
  nlohmann::json view = {{"csrf", ctx.csrf.Token(kPurpose, binding.value)},
                         {"return_to", form.return_to},
                         {"email", form.email}};
  if (!form.error.empty()) view["error"] = form.error;
  if (!form.notice.empty()) view["notice"] = form.notice;
  // Sign-up is offered where it is open; an invitation's page links to it itself.
  if (ctx.signup && ctx.signup->Allows(false)) {
    view["signup_url"] = "/web/signup?return_to=" + util::PercentEncode(form.return_to);
  }
  std::vector<std::string> origins;
  if (ctx.form_action_origins) origins = ctx.form_action_origins(form.return_to);
  http::Response r = HtmlPage(form.status, ctx.templates.Render("login.html", view), origins);
  SetBindingCookie(ctx, binding, r);
  return r;
}

bool LooksLikeToken(const std::string& v) {
  if (v.size() != 43) return false;
  for (char c : v) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

FormBinding PreSessionBinding(const WebContext& ctx, const http::Request& request) {
  auto cookie = request.Cookie(ctx.CsrfCookieName());
  bool fresh = !cookie || !LooksLikeToken(*cookie);
  return FormBinding{fresh ? crypto::RandomToken(32) : *cookie, fresh};
}

void SetBindingCookie(const WebContext& ctx, const FormBinding& binding, http::Response& r) {
  if (!binding.fresh) return;
  http::CookieSpec spec{ctx.CsrfCookieName(), binding.value, ctx.cookie_secure};
  r.Set("Set-Cookie", http::BuildSetCookie(spec));
}

http::Response ShowLogin(const WebContext& ctx, const http::Request& request) {
  http::FormError error;
  auto query = http::ParseUrlEncoded(request.raw_query, &error);
  if (!query) return ErrorPage(ctx.templates, 400, "Bad request", error.description);
  if (auto repeated = query->FirstRepeated()) {
    return ErrorPage(ctx.templates, 400, "Bad request", "parameter repeated: " + *repeated);
  }
  LoginForm form;
  form.return_to = session::SafeReturnTo(query->Get("return_to").value_or("/"));
  // Where sign-up sends the browser, for a new email and a registered one alike (signup.cpp).
  if (query->Get("signed_up") == "1") {
    form.notice =
        "If this email was new, its account is ready: sign in with the password you "
        "chose. If it was registered already, sign in with its password.";
  }
  return RenderForm(ctx, request, form);
}

http::Response SubmitLogin(const WebContext& ctx, const http::Request& request) {
  auto read = ReadForm(ctx.templates, request, "The login form");
  if (!read) return read.error();
  const http::Params& fields = read.value();
  LoginForm form;
  form.return_to = session::SafeReturnTo(fields.Get("return_to").value_or("/"));
  form.email = fields.Get("email").value_or("");
  if (form.email.size() > kMaxEmail) form.email.clear();

  auto csrf_cookie = request.Cookie(ctx.CsrfCookieName());
  if (!csrf_cookie || !ctx.csrf.Check(kPurpose, *csrf_cookie, fields.Get("csrf").value_or(""))) {
    form.status = 403;
    form.error = "Your sign-in form expired. Please try again.";
    return RenderForm(ctx, request, form);
  }
  std::string email = fields.Get("email").value_or("");
  std::string password = fields.Get("password").value_or("");
  if (email.empty() || password.empty() || email.size() > kMaxEmail ||
      password.size() > kMaxPassword) {
    form.status = email.empty() || password.empty() ? 400 : 401;
    form.error = email.empty() || password.empty() ? "Enter your email and password." : kInvalid;
    return RenderForm(ctx, request, form);
  }

  session::LoginRequest login;
  login.email = email;
  login.password = password;
  login.client_address = request.client_address;
  login.user_agent = std::string(request.Header("user-agent").value_or(""));
  login.request_id = request.request_id;
  login.previous_session = request.Cookie(ctx.SessionCookieName());
  auto result = ctx.login.Login(login);
  if (!result) {
    if (result.error().kind == session::LoginErrorKind::kThrottled) {
      form.status = 429;
      form.error = "Too many failed attempts. Try again later.";
      http::Response r = RenderForm(ctx, request, form);
      r.Set("Retry-After", std::to_string(result.error().retry_after));
      return r;
    }
    form.status = 401;
    form.error = kInvalid;  // the same message whatever was wrong
    return RenderForm(ctx, request, form);
  }
  http::Response r = http::Response::Redirect(303, form.return_to);
  r.Set("Cache-Control", "no-store");
  http::CookieSpec spec{ctx.SessionCookieName(), result.value().session_token, ctx.cookie_secure};
  spec.max_age = ctx.session_ttl;
  r.Set("Set-Cookie", http::BuildSetCookie(spec));
  return r;
}

}  // namespace oakgate::handlers::web
