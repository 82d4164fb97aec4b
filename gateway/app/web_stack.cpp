#include "gateway/app/web_stack.hpp"

#include "gateway/crypto/random.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::app {

WebStack::WebStack(const config::Config& cfg, store::Database& db, int hash_concurrency)
    : templates(cfg.templates_dir.empty() ? render::Templates::DefaultDir() : cfg.templates_dir),
      hasher(hash_concurrency),
      csrf(cfg.secret, cfg.secret_previous),
      settings{cfg.session_ttl, cfg.session_idle_ttl},
      login(db, hasher, settings),
      sessions(db, settings),
      invitations(db.Invitations(), db.Orgs(), util::SystemClock::Instance(),
                  crypto::SystemRandom::Instance(), cfg.issuer),
      // Load has checked the mode's name.
      signup(db, hasher, invitations,
             manage::ParseSignupMode(cfg.signup).value_or(manage::SignupMode::kInvite)),
      web{templates, csrf, login, sessions, cfg.CookieSecure(), cfg.session_ttl, {}} {
  web.signup = &signup;
  web.invitations = &invitations;
}

}  // namespace oakgate::app
