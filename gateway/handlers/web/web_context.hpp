#pragma once
// What the browser-facing handlers share: templates, CSRF, sessions and cookie settings.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/manage/invitation_service.hpp"
#include "gateway/manage/signup_service.hpp"
#include "gateway/render/templates.hpp"
#include "gateway/session/csrf.hpp"
#include "gateway/session/login_service.hpp"
#include "gateway/session/session_service.hpp"

namespace oakgate::handlers::web {

struct WebContext {
  const render::Templates& templates;
  const session::Csrf& csrf;
  session::LoginService& login;
  session::SessionService& sessions;
  bool cookie_secure = false;
  int64_t session_ttl = 43200;
  // The origins a login page must allow in CSP form-action for its return_to: the validated
  // redirect origin when return_to is a pending authorization request (browsers apply
  // form-action to the redirect chain after the POST). May query the database.
  std::function<std::vector<std::string>(std::string_view return_to)> form_action_origins;
  // Sign-up and invitation pages (CONTRACT §9); set by WebStack, which owns both services.
  manage::SignupService* signup = nullptr;
  manage::InvitationService* invitations = nullptr;

  // __Host- cookies must be Secure with Path=/ and no Domain (RFC 6265bis §4.1.3.2).
  std::string SessionCookieName() const {
    return cookie_secure ? "__Host-oakgate_session" : "oakgate_session";
  }
  std::string CsrfCookieName() const {
    return cookie_secure ? "__Host-oakgate_csrf" : "oakgate_csrf";
  }
};

}  // namespace oakgate::handlers::web
