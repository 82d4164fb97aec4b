#pragma once
// Every route the gateway serves, in one table.
#include <atomic>
#include <functional>

#include "gateway/handlers/api/api_common.hpp"
#include "gateway/handlers/dashboard/dashboard_common.hpp"
#include "gateway/handlers/legacy/legacy.hpp"
#include "gateway/handlers/oauth/oauth_context.hpp"
#include "gateway/handlers/validate/validate.hpp"
#include "gateway/handlers/web/web_context.hpp"
#include "gateway/http/router.hpp"
#include "gateway/store/database.hpp"

namespace oakgate::app {

struct RouteDeps {
  store::Database& db;
  handlers::web::WebContext& web;
  handlers::oauth::OAuthContext& oauth;
  const std::atomic<bool>& draining;
  handlers::api::ApiContext& api;
  handlers::validate::ValidateContext& validate;
  handlers::dashboard::DashboardContext& dashboard;
  // After a request that may have changed what caches hold, on its worker: returns once this
  // instance's caches have seen the change (cache::InvalidationBus::Sync).
  std::function<void()> sync_caches;
  // The legacy JWT bridge (CONTRACT §12), when configured; its routes exist only then.
  handlers::legacy::LegacyContext* legacy = nullptr;
};

http::Router BuildRoutes(RouteDeps deps);

// Error bodies the HTTP layer produces itself: JSON everywhere, HTML pages under /web/,
// /dashboard, /oauth/authorize and / (CONTRACT §8).
http::Response RenderError(const render::Templates& templates, const http::Request* request,
                           int status, std::string_view code, std::string_view message);

}  // namespace oakgate::app
