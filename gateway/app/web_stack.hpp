#pragma once
// The browser side both `serve` and `oakgate routes` build over a configuration: templates,
// CSRF keyed by the secret, login, sessions, and the handlers' WebContext over them.
#include "gateway/config/config.hpp"
#include "gateway/handlers/web/web_context.hpp"
#include "gateway/manage/invitation_service.hpp"
#include "gateway/manage/signup_service.hpp"
#include "gateway/render/templates.hpp"
#include "gateway/session/csrf.hpp"
#include "gateway/session/login_service.hpp"
#include "gateway/session/password.hpp"
#include "gateway/session/session_service.hpp"
#include "gateway/store/database.hpp"

namespace oakgate::app {

// Holds references into itself (the WebContext), so it never moves; web.form_action_origins
// is left for the caller, who knows the authorization service.
struct WebStack {
  // hash_concurrency: how many scrypt hashes may run at once (1 where none ever runs).
  WebStack(const config::Config& cfg, store::Database& db, int hash_concurrency);
  WebStack(const WebStack&) = delete;
  WebStack& operator=(const WebStack&) = delete;

  render::Templates templates;
  session::PasswordHasher hasher;
  session::Csrf csrf;
  session::SessionSettings settings;
  session::LoginService login;
  session::SessionService sessions;
  // Invitations and sign-up (CONTRACT §9): the pages use both, the API the invitations.
  manage::InvitationService invitations;
  manage::SignupService signup;
  handlers::web::WebContext web;
};

}  // namespace oakgate::app
