#pragma once
#include <atomic>
#include <functional>

#include "gateway/app/routes.hpp"
#include "gateway/config/config.hpp"
#include "gateway/manage/services.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/policy/decision_writer.hpp"
#include "gateway/policy/validator.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::app {

// Runs the gateway in the foreground until SIGTERM or SIGINT, then drains and returns the
// process exit code.
int Serve(const config::Config& config);

// The services the route table is built over: what Serve wires, and what `oakgate routes`
// wires the same way (calling none of them) to print the table Serve would answer with.
struct RouteServices {
  store::Database& db;
  handlers::web::WebContext& web;
  handlers::oauth::OAuthContext& oauth;
  const std::atomic<bool>& draining;
  oauth::AccessTokenVerifier& access_tokens;
  manage::Services& services;
  policy::Validator& validator;
  policy::DecisionWriter& decisions;
  const util::Clock& clock;
  std::function<void()> sync_caches;
  handlers::legacy::LegacyContext* legacy = nullptr;
  // Where agents' long polls of their approvals park (null: they answer at once).
  policy::ApprovalWaiter* approval_waiter = nullptr;
  cache::InvalidationBus* bus = nullptr;
};

// The handlers' contexts over those services, and the route table over the contexts: the one
// place both Serve and `oakgate routes` get their router from. The router's handlers hold
// the contexts, so this outlives the router (or the server it is moved into), and never moves.
struct ServedRoutes {
  explicit ServedRoutes(const RouteServices& s);
  ServedRoutes(const ServedRoutes&) = delete;
  ServedRoutes& operator=(const ServedRoutes&) = delete;
  handlers::api::ApiContext api;
  handlers::validate::ValidateContext validate;
  handlers::dashboard::DashboardContext dashboard;
  http::Router router;
};

}  // namespace oakgate::app
