#include "gateway/handlers/web/signup.hpp"

#include <nlohmann/json.hpp>

#include "gateway/handlers/web/login.hpp"
#include "gateway/handlers/web/pages.hpp"
#include "gateway/http/form.hpp"
#include "gateway/session/return_to.hpp"
#include "gateway/store/org_store.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::web {
namespace {

constexpr const char* kPurpose = "signup";
constexpr size_t kMaxEmail = 254;  // RFC 5321 path limit

struct SignupForm {
  int status = 200;
  std::string error;
  std::string email;
  std::string invitation;  // the token, carried in a hidden field
  std::string return_to = "/";
  std::optional<store::Invitation> invited;
};

http::Response RenderForm(const WebContext& ctx, const http::Request& request,
                          const SignupForm& form) {
  FormBinding binding = PreSessionBinding(ctx, request);
  nlohmann::json view = {
      {"csrf", ctx.csrf.Token(kPurpose, binding.value)},
      {"return_to", form.return_to},
      {"invitation", form.invitation},
      {"email", form.invited ? form.invited->email : form.email},
      {"login_url", "/web/login?return_to=" + util::PercentEncode(form.return_to)}};
  if (form.invited) {
    view["org_name"] = form.invited->org_name;
    view["role"] = std::string(store::RoleName(form.invited->role));
    view["email_fixed"] = true;
  }
  if (!form.error.empty()) view["error"] = form.error;
  http::Response r = HtmlPage(form.status, ctx.templates.Render("signup.html", view));
  SetBindingCookie(ctx, binding, r);
  return r;
}

http::Response Closed(const WebContext& ctx) {
  return ErrorPage(ctx.templates, 404, "Sign-up is closed",
                   "This server does not take sign-ups. Ask an administrator for an account.");
}

http::Response InvitationOnly(const WebContext& ctx) {
  return ErrorPage(ctx.templates, 403, "Sign-up is by invitation",
                   "Accounts on this server are made through invitations. Open the invitation "
                   "link you were sent.");
}

// Where an invitation's visitor goes back to once signed in: its page, unless told otherwise.
std::string ReturnTo(const http::Params& params, const std::string& invitation) {
  std::string fallback = invitation.empty() ? "/" : "/web/invitations/" + invitation;
  return session::SafeReturnTo(params.Get("return_to").value_or(fallback));
}

}  // namespace

http::Response InvitationGonePage(const WebContext& ctx) {
  return ErrorPage(ctx.templates, 410, "Invitation unavailable",
                   "This invitation link can no longer be used. Ask whoever invited you for a "
                   "new one.");
}

http::Response ShowSignup(const WebContext& ctx, const http::Request& request) {
  if (!ctx.signup || ctx.signup->mode() == manage::SignupMode::kOff) return Closed(ctx);
  http::FormError error;
  auto query = http::ParseUrlEncoded(request.raw_query, &error);
  if (!query) return ErrorPage(ctx.templates, 400, "Bad request", error.description);
  if (auto repeated = query->FirstRepeated()) {
    return ErrorPage(ctx.templates, 400, "Bad request", "parameter repeated: " + *repeated);
  }
  SignupForm form;
  form.invitation = query->Get("invitation").value_or("");
  form.return_to = ReturnTo(*query, form.invitation);
  if (!form.invitation.empty()) {
    auto invited = ctx.signup->Invitation(form.invitation);
    if (!invited) return InvitationGonePage(ctx);
    form.invited = invited.value();
  } else if (!ctx.signup->Allows(false)) {
    return InvitationOnly(ctx);
  }
  return RenderForm(ctx, request, form);
}

http::Response SubmitSignup(const WebContext& ctx, const http::Request& request) {
  if (!ctx.signup || ctx.signup->mode() == manage::SignupMode::kOff) return Closed(ctx);
  auto read = ReadForm(ctx.templates, request, "The sign-up form");
  if (!read) return read.error();
  const http::Params& fields = read.value();
  SignupForm form;
  form.invitation = fields.Get("invitation").value_or("");
  form.return_to = ReturnTo(fields, form.invitation);
  form.email = fields.Get("email").value_or("");
  if (form.email.size() > kMaxEmail) form.email.clear();
  if (!form.invitation.empty()) {
    auto invited = ctx.signup->Invitation(form.invitation);
    if (!invited) return InvitationGonePage(ctx);
    form.invited = invited.value();
  }

  auto csrf_cookie = request.Cookie(ctx.CsrfCookieName());
  if (!csrf_cookie || !ctx.csrf.Check(kPurpose, *csrf_cookie, fields.Get("csrf").value_or(""))) {
    form.status = 403;
    form.error = "Your sign-up form expired. Please try again.";
    return RenderForm(ctx, request, form);
  }
  std::string email = fields.Get("email").value_or("");
  std::string password = fields.Get("password").value_or("");
  if (email.empty() || password.empty()) {
    form.status = 400;
    form.error = "Enter your email and a password.";
    return RenderForm(ctx, request, form);
  }

  manage::SignupRequest signup;
  signup.email = email;
  signup.password = password;
  signup.invitation = form.invitation;
  signup.client_address = request.client_address;
  signup.request_id = request.request_id;
  auto result = ctx.signup->SignUp(signup);
  if (!result) {
    const manage::SignupError& e = result.error();
    switch (e.kind) {
      case manage::SignupErrorKind::kClosed:
        return Closed(ctx);
      case manage::SignupErrorKind::kInvitationNeeded:
        return InvitationOnly(ctx);
      case manage::SignupErrorKind::kInvitationGone:
        return InvitationGonePage(ctx);
      case manage::SignupErrorKind::kThrottled: {
        form.status = 429;
        form.error = e.message;
        http::Response r = RenderForm(ctx, request, form);
        r.Set("Retry-After", std::to_string(e.retry_after));
        return r;
      }
      case manage::SignupErrorKind::kWrongEmail:
      case manage::SignupErrorKind::kInvalidEmail:
      case manage::SignupErrorKind::kWeakPassword:
        form.status = 400;
        form.error = e.message;
        return RenderForm(ctx, request, form);
    }
  }
  // The same answer whether the email was new or registered already (no enumeration): no
  // session either way; the login page says to sign in with the password just chosen.
  http::Response r = http::Response::Redirect(
      303, "/web/login?signed_up=1&return_to=" + util::PercentEncode(form.return_to));
  r.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace oakgate::handlers::web
