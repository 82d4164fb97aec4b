#include "gateway/handlers/web/invitations.hpp"

#include <nlohmann/json.hpp>

#include "gateway/handlers/web/logout.hpp"
#include "gateway/handlers/web/pages.hpp"
#include "gateway/handlers/web/signup.hpp"
#include "gateway/manage/principal.hpp"
#include "gateway/store/org_store.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::web {
namespace {

std::string PagePath(const std::string& token) { return "/web/invitations/" + token; }

// A signed-out visitor goes to sign-up where this invitation may be used for it, else to
// login; either way back to the invitation afterwards.
http::Response SendToSignIn(const WebContext& ctx, const std::string& token) {
  std::string back = util::PercentEncode(PagePath(token));
  std::string location = ctx.signup && ctx.signup->Allows(true)
                             ? "/web/signup?invitation=" + token + "&return_to=" + back
                             : "/web/login?return_to=" + back;
  http::Response r = http::Response::Redirect(303, location);
  r.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace

http::Response ShowInvitation(const WebContext& ctx, const http::Request& request) {
  std::string token = request.PathParam("token").value_or("");
  auto invitation = ctx.invitations->Pending(token);
  if (!invitation) return InvitationGonePage(ctx);
  auto cookie = request.Cookie(ctx.SessionCookieName());
  auto session = cookie ? ctx.sessions.Current(*cookie) : std::nullopt;
  if (!session) return SendToSignIn(ctx, token);
  const store::Invitation& i = invitation.value();
  bool mismatch = !util::IEquals(util::Trim(session->email), util::Trim(i.email));
  nlohmann::json view = {{"org_name", i.org_name},
                         {"role", std::string(store::RoleName(i.role))},
                         {"email", session->email},
                         {"invited_email", i.email},
                         {"token", token},
                         {"mismatch", mismatch},
                         {"csrf", ctx.csrf.Token(kSessionFormPurpose, *cookie)}};
  return HtmlPage(mismatch ? 403 : 200, ctx.templates.Render("invitation.html", view));
}

http::Response AcceptInvitation(const WebContext& ctx, const http::Request& request) {
  auto read = ReadForm(ctx.templates, request, "The form");
  if (!read) return read.error();
  const http::Params& fields = read.value();
  std::string token = request.PathParam("token").value_or("");
  auto cookie = request.Cookie(ctx.SessionCookieName());
  auto session = cookie ? ctx.sessions.Current(*cookie) : std::nullopt;
  if (!session) return SendToSignIn(ctx, token);
  if (!ctx.csrf.Check(kSessionFormPurpose, *cookie, fields.Get("csrf").value_or(""))) {
    return ErrorPage(ctx.templates, 403, "Form expired",
                     "This form expired. Open the invitation link again.");
  }
  manage::Principal who =
      manage::SessionPrincipal(session->user_id, request.client_address, request.request_id);
  auto accepted = ctx.invitations->Accept(who, session->email, token);
  if (!accepted) {
    if (accepted.error().kind == manage::ErrorKind::kForbidden) {
      return ErrorPage(ctx.templates, 403, "Another address",
                       "This invitation is for another email address than the one you are "
                       "signed in with.");
    }
    return InvitationGonePage(ctx);
  }
  http::Response r = http::Response::Redirect(303, "/dashboard");
  r.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace oakgate::handlers::web
