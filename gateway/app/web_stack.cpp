#include "gateway/app/web_stack.hpp"

namespace oakgate::app {

WebStack::WebStack(const config::Config& cfg, store::Database& db, int hash_concurrency)
    : templates(cfg.templates_dir.empty() ? render::Templates::DefaultDir() : cfg.templates_dir),
      hasher(hash_concurrency),
      csrf(cfg.secret, cfg.secret_previous),
      settings{cfg.session_ttl, cfg.session_idle_ttl},
      login(db, hasher, settings),
      sessions(db, settings),
      web{templates, csrf, login, sessions, cfg.CookieSecure(), cfg.session_ttl, {}} {}

}  // namespace oakgate::app
