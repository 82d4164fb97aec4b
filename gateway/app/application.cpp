#include "gateway/app/application.hpp"

#include <signal.h>
#include <systemd/sd-daemon.h>

#include <chrono>
#include <optional>
#include <thread>

#include "gateway/apikey/key_introspector.hpp"
#include "gateway/apikey/key_verifier.hpp"
#include "gateway/app/legacy_setup.hpp"
#include "gateway/app/process_metrics.hpp"
#include "gateway/app/pruner.hpp"
#include "gateway/app/routes.hpp"
#include "gateway/app/web_stack.hpp"
#include "gateway/cache/invalidation.hpp"
#include "gateway/crypto/random.hpp"
#include "gateway/handlers/oauth/endpoints.hpp"
#include "gateway/http/server.hpp"
#include "gateway/manage/services.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/oauth/authorize.hpp"
#include "gateway/oauth/client_auth.hpp"
#include "gateway/oauth/discovery.hpp"
#include "gateway/oauth/introspection.hpp"
#include "gateway/oauth/registration.hpp"
#include "gateway/oauth/revocation.hpp"
#include "gateway/oauth/token_service.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/policy/decision_writer.hpp"
#include "gateway/policy/lookup_throttle.hpp"
#include "gateway/policy/monthly_quota.hpp"
#include "gateway/policy/policy_cache.hpp"
#include "gateway/policy/shared_rate_limiter.hpp"
#include "gateway/policy/validator.hpp"
#include "gateway/store/pg/migrator.hpp"
#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_listener.hpp"
#include "gateway/store/pg/pg_rotation_store.hpp"
#include "gateway/util/errors.hpp"
#include "gateway/util/strings.hpp"
#include "gateway/webhook/sender.hpp"

namespace oakgate::app {
namespace {

bool IsLoopbackIssuer(const std::string& issuer) {
  for (const char* p : {"http://127.", "http://localhost", "http://[::1]"}) {
    if (issuer.rfind(p, 0) == 0) return true;
  }
  return issuer.rfind("https://", 0) == 0;
}

oauth::RegistrationSettings RegistrationSettingsFrom(const config::Config& cfg) {
  oauth::RegistrationSettings s;
  s.mode = cfg.registration == "off"     ? oauth::RegistrationMode::kOff
           : cfg.registration == "token" ? oauth::RegistrationMode::kToken
                                         : oauth::RegistrationMode::kOpen;
  s.custom_schemes = util::SplitList(cfg.registration_redirect_schemes);
  s.rate_limit = cfg.registration_rate_limit;
  s.window_seconds = cfg.registration_window;
  return s;
}

void MigrateWithRetry(const std::string& url) {
  // A database that is still starting gets a few seconds; a failing migration does not.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (true) {
    try {
      for (const auto& v : store::pg::ApplyMigrations(url)) {
        observe::Info("migration applied", {{"version", v}});
      }
      return;
    } catch (const util::ServiceUnavailable&) {
      // Not an answer to anyone: a database still starting is waited for, then it is fatal.
      if (std::chrono::steady_clock::now() > deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

// Polls the readiness check /readyz uses until it holds; returns 0 then, or the signal that
// arrived first.
int WaitUntilReady(store::pg::PgDatabase& db, const sigset_t& signals) {
  bool logged = false;
  while (!db.Ready()) {
    if (!logged) {
      // What /readyz would answer; nothing listens yet, so the log is where it shows.
      observe::Warn("not ready: waiting for the database and current migrations",
                    {{"readyz", "database_unavailable"}});
      logged = true;
    }
    timespec poll{0, 250 * 1000 * 1000};
    int sig = sigtimedwait(&signals, nullptr, &poll);
    if (sig > 0) return sig;
  }
  // The check ran on this thread, which serves no requests: give its connection back.
  db.ResetConnection();
  return 0;
}

}  // namespace

ServedRoutes::ServedRoutes(const RouteServices& s)
    : api{s.access_tokens,    s.services.agents,    s.services.tools,   s.services.rules,
          s.services.keys,    s.services.activity,  s.services.orgs,    s.services.usage,
          *s.web.invitations, s.services.approvals, s.services.webhooks},
      validate{s.validator, s.decisions, s.clock, s.db.Approvals(), s.approval_waiter, s.bus},
      dashboard{s.web,           s.services.agents,   s.services.tools,       s.services.rules,
                s.services.keys, s.services.activity, s.services.credentials, s.services.admin,
                s.services.orgs, s.services.usage,    s.services.approvals,   s.services.webhooks},
      router(BuildRoutes(RouteDeps{s.db, s.web, s.oauth, s.draining, api, validate, dashboard,
                                   s.sync_caches, s.legacy})) {}

int Serve(const config::Config& cfg) {
  // Signals are taken by sigwait on this thread; every thread started below inherits the
  // mask, so this comes before the first thread (the logger's): a thread with SIGTERM
  // unblocked would take the signal and die of it instead of draining. A peer that hangs up
  // must not kill the process.
  signal(SIGPIPE, SIG_IGN);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  observe::InitLogging(cfg.log_level);
  if (!IsLoopbackIssuer(cfg.issuer)) {
    observe::Warn("issuer is plain http on a non-loopback host", {{"issuer", cfg.issuer}});
  }

  if (cfg.auto_migrate) MigrateWithRetry(cfg.database_url);

  store::pg::PgDatabase db(cfg.database_url);
  WebStack browser(cfg, db, cfg.PasswordHashConcurrency());
  handlers::web::WebContext& web = browser.web;
  oauth::OAuthSettings oauth_settings;
  oauth_settings.issuer = cfg.issuer;
  oauth_settings.access_token_ttl = cfg.access_token_ttl;
  oauth_settings.refresh_token_ttl = cfg.refresh_token_ttl;
  oauth_settings.refresh_idle_ttl = cfg.refresh_idle_ttl;
  oauth_settings.code_ttl = cfg.code_ttl;
  oauth_settings.refresh_grace = cfg.refresh_grace;
  // Caches answer from memory while the listener hears every instance's changes (issue 7).
  cache::InvalidationBus bus;
  const util::Clock& clock = util::SystemClock::Instance();
  // Confidential clients, kept a minute at most. A failure, or a throttled attempt, sends the
  // client and its address through the database path (and its throttle) for the next minute.
  oauth::ClientCache client_cache(bus, clock, 4096, 60, 60);
  // 64k live access tokens, a minute at most each.
  oauth::ActiveTokenCache active_tokens(bus, clock, 65536, 60);
  oauth::ClientAuthenticator client_auth(db, clock, oauth_settings.client_auth, &client_cache);
  oauth::AuthorizeService authorize(db, oauth_settings);
  // Like the decision writer, the token writer outlives the server, so requests in flight at
  // shutdown still get their tokens stored.
  oauth::TokenWriter token_writer(db.Tokens());
  // Refresh rotations share commits the same way (one statement for a batch).
  store::pg::PgRotationStore rotation_store(db);
  oauth::RotationWriter rotation_writer(rotation_store);
  oauth::TokenService tokens(db, client_auth, oauth_settings, &token_writer, &rotation_writer);
  // 64k hashes of dead access tokens, for at most 5 minutes each (about 6 MiB at most).
  oauth::InactiveTokenCache inactive_tokens(65536, 300, util::SystemClock::Instance());
  observe::Metrics().AddCallback(
      "oakgate_cache_entries", "Entries held by an in-process cache", "gauge",
      [&inactive_tokens] { return static_cast<double>(inactive_tokens.size()); },
      {{"cache", "inactive_access_tokens"}});
  observe::Metrics().AddCallback(
      "oakgate_cache_entries", "Entries held by an in-process cache", "gauge",
      [&active_tokens] { return static_cast<double>(active_tokens.size()); },
      {{"cache", "active_access_tokens"}});
  observe::Metrics().AddCallback(
      "oakgate_cache_entries", "Entries held by an in-process cache", "gauge",
      [&client_cache] { return static_cast<double>(client_cache.size()); },
      {{"cache", "introspecting_clients"}});
  observe::Metrics().AddCallback("oakgate_cache_live",
                                 "1 while the invalidation listener is connected and caches serve",
                                 "gauge", [&bus] { return bus.live() ? 1.0 : 0.0; });
  observe::Metrics().AddCallback(
      "oakgate_cache_listener_connects_total",
      "Times the invalidation listener connected (each time, caches started empty)", "counter",
      [&bus] { return static_cast<double>(bus.reconnects()); });
  oauth::IntrospectionService introspection(db, client_auth, cfg.issuer, &inactive_tokens,
                                            &active_tokens, &handlers::oauth::RenderIntrospection);
  oauth::RevocationService revocation(db, client_auth);
  // Failed lookups of tokens and keys per client address, shared by every instance (G9, G10).
  policy::SharedLookupThrottle lookup_throttle(db.RateBuckets(), clock,
                                               cfg.lookup_failures_per_minute);
  introspection.SetLookupThrottle(&lookup_throttle);
  revocation.SetLookupThrottle(&lookup_throttle);
  oauth::RegistrationService registration(db, RegistrationSettingsFrom(cfg));
  web.form_action_origins = [&authorize](std::string_view return_to) {
    return authorize.FormActionOrigins(return_to);
  };
  // Read-your-writes for this instance's caches: waits for its listener, 2 s at most.
  std::function<void()> sync_caches = [&bus, &db] {
    bus.Sync(
        [&db](const std::string& payload) {
          db.Maintenance().Notify(std::string(cache::kChannel), payload);
        },
        std::chrono::milliseconds(2000));
  };
  handlers::oauth::OAuthContext oauth_ctx{
      web,        authorize,
      tokens,     introspection,
      revocation, registration,
      cfg.issuer, oauth::DiscoveryDocument(cfg.issuer, cfg.registration != "off"),
      sync_caches};
  std::atomic<bool> draining{false};

  // The decision writer outlives the server: requests in flight at shutdown still get their
  // batch committed (the server is stopped, and its pool joined, before this is destroyed).
  policy::DecisionWriterOptions writer_options;
  writer_options.batch_size = static_cast<size_t>(cfg.decision_batch_size);
  writer_options.delay = std::chrono::milliseconds(cfg.decision_batch_delay_ms);
  writer_options.writers = static_cast<size_t>(cfg.decision_writers);
  policy::DecisionWriter decision_writer(db.Decisions(), writer_options);
  policy::SharedRateLimiter rate_limiter(db.RateBuckets());
  oauth::AccessTokenVerifier access_tokens(db);
  // Webhooks' signing secrets, sealed at rest under keys derived from `secret` (and opened with
  // `secret_previous` too, so rotating the gateway's secret keeps them).
  crypto::SecretBox webhook_box({cfg.secret, cfg.secret_previous}, "oakgate webhook secret v1");
  manage::Services services(db, webhook_box, cfg.webhook_allow_private);
  // 64k API keys, a minute at most each.
  apikey::KeyCache key_cache(bus, clock, 65536, 60);
  observe::Metrics().AddCallback(
      "oakgate_cache_entries", "Entries held by an in-process cache", "gauge",
      [&key_cache] { return static_cast<double>(key_cache.size()); }, {{"cache", "api_keys"}});
  // Key ids the database does not know, 64k for a minute: a scan of made-up keys costs no
  // lookup each.
  oauth::InactiveTokenCache unknown_keys(65536, 60, clock, "unknown_api_keys");
  observe::Metrics().AddCallback(
      "oakgate_cache_entries", "Entries held by an in-process cache", "gauge",
      [&unknown_keys] { return static_cast<double>(unknown_keys.size()); },
      {{"cache", "unknown_api_keys"}});
  apikey::KeyVerifier key_verifier(db, clock, &key_cache, &unknown_keys);
  // 64k (agent, tool, scope) policies, a minute at most each.
  policy::PolicyCache policy_cache(bus, clock, 65536, 60);
  observe::Metrics().AddCallback(
      "oakgate_cache_entries", "Entries held by an in-process cache", "gauge",
      [&policy_cache] { return static_cast<double>(policy_cache.size()); },
      {{"cache", "agent_policies"}});
  introspection.AddIntrospector(std::make_shared<apikey::KeyIntrospector>(key_verifier));
  policy::CachedPolicies policies(db, &policy_cache);
  // 64k organizations' monthly limits, a minute at most each; the allowance each instance
  // leases from the shared row of (organization, month) (CONTRACT §9).
  policy::OrgLimitsCache org_limits(bus, clock, 65536, 60);
  observe::Metrics().AddCallback(
      "oakgate_cache_entries", "Entries held by an in-process cache", "gauge",
      [&org_limits] { return static_cast<double>(org_limits.size()); }, {{"cache", "org_limits"}});
  policy::MonthlyQuota monthly_quota(db, org_limits, bus);
  policy::Validator validator(key_verifier, rate_limiter, policies, clock,
                              crypto::SystemRandom::Instance(), &lookup_throttle, &monthly_quota,
                              &db.Approvals());
  // Agents waiting for a human's decision (CONTRACT §10): 10k parked long polls at most; the
  // waiter reads on its own thread and connection.
  policy::ApprovalWaiter approval_waiter(
      [&db](const std::string& agent_id, const std::string& id, int64_t now) {
        return db.Approvals().FindForAgent(agent_id, id, now);
      },
      bus, clock, 10000);
  // Webhooks (CONTRACT §11): the sender opens the secrets with webhook_box (above) and claims
  // due deliveries from the outbox on its own threads (none with webhook_senders 0). It starts
  // once the migrations it reads are applied (with the listener, below), and stops before the
  // database goes.
  webhook::CurlTransport webhook_transport(cfg.webhook_allow_private, std::chrono::seconds(10));
  webhook::SenderOptions sender_options;
  sender_options.workers = static_cast<size_t>(cfg.webhook_senders);
  sender_options.poll = std::chrono::milliseconds(cfg.webhook_poll_ms);
  sender_options.retry_base_ms = cfg.webhook_retry_base_ms;
  std::optional<webhook::Sender> webhook_sender;

  // The legacy JWT bridge (CONTRACT §12), only when configured.
  LegacyStack legacy(cfg, db, client_auth, tokens, clock);
  if (legacy.context()) {
    observe::Info("legacy JWT bridge on",
                  {{"exchange", cfg.legacy_exchange_client.empty() ? "off" : "on"}});
  }

  http::ServerOptions options;
  options.host = cfg.ListenHost();
  options.port = static_cast<uint16_t>(cfg.ListenPort());
  options.reactor_threads = static_cast<size_t>(cfg.Threads());
  options.workers = static_cast<size_t>(cfg.DbPool());
  options.queue_capacity = static_cast<size_t>(cfg.worker_queue);
  options.max_request_bytes = static_cast<size_t>(cfg.max_request_bytes);
  options.header_timeout = std::chrono::seconds(cfg.header_timeout);
  options.body_timeout = std::chrono::seconds(cfg.body_timeout);
  options.idle_timeout = std::chrono::seconds(cfg.idle_timeout);
  options.drain_idle_grace = std::chrono::milliseconds(cfg.drain_idle_grace_ms);
  options.trusted_proxies = cfg.TrustedProxies();
  options.colour = cfg.colour;
  options.strict_transport_security = http::StrictTransportSecurityFor(cfg.issuer);

  auto errors = [&templates = browser.templates](const http::Request* req, int status,
                                                 std::string_view code, std::string_view message) {
    return RenderError(templates, req, status, code, message);
  };
  auto access_log = [](const http::Request& req, const http::Response& res,
                       std::chrono::microseconds latency) {
    RecordRequestMetrics(req, res, latency);
    if (req.path == "/healthz" || req.path == "/metrics" || !observe::InfoEnabled()) return;
    // The path only: query strings carry codes and state. A path that carries a secret (an
    // invitation's token) is logged as its route.
    bool secret_path = req.route.find("{token}") != std::string::npos;
    observe::Info("request", {{"request_id", req.request_id},
                              {"method", req.method},
                              {"path", secret_path ? req.route : req.path},
                              {"route", req.route.empty() ? "unmatched" : req.route},
                              {"status", std::to_string(res.status)},
                              {"latency_ms", std::to_string(latency.count() / 1000.0)},
                              {"client_address", req.client_address}});
  };
  // Started once every cache has subscribed; stopped (joined) before they go.
  store::pg::PgListener listener(
      cfg.database_url, std::string(cache::kChannel),
      [&bus](std::string_view payload) { bus.Deliver(payload); },
      [&bus](bool live) { bus.SetLive(live); });
  ServedRoutes routes(RouteServices{db, web, oauth_ctx, draining, access_tokens, services,
                                    validator, decision_writer, clock, sync_caches,
                                    legacy.context(), &approval_waiter, &bus});
  http::Server server(options, std::move(routes.router), errors, access_log);
  // The listener opens only once /readyz would say ready (the database answers and every
  // migration this binary knows is applied). Nginx names both colours in one static upstream;
  // a colour that does not listen refuses the connect, which Nginx retries on the other one
  // (nothing was sent, so a POST too), so a colour that is starting takes no request it could
  // not answer. READY=1 follows: systemctl start returns, and the switch proceeds, only then.
  // A signal while waiting stops at once.
  int sig = WaitUntilReady(db, signals);
  if (sig == 0) {
    server.Start();
    observe::Info("listening",
                  {{"listen", cfg.listen}, {"issuer", cfg.issuer}, {"colour", cfg.colour}});
    observe::Info("ready");
    sd_notify(0, "READY=1");
    if (cfg.webhook_senders > 0) {
      webhook_sender.emplace(db.Webhooks(), webhook_box, clock, crypto::SystemRandom::Instance(),
                             webhook_transport, sender_options);
    }
  }
  RegisterProcessMetrics(server);
  Pruner pruner(db, PruneLimitsFrom(cfg), cfg.prune_interval);
  if (sig == 0) sigwait(&signals, &sig);
  observe::Info("draining", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  sd_notify(0, "STOPPING=1");
  draining.store(true);
  // Stops taking connections (without resetting one already made) before it returns.
  server.BeginDrain();
  // Agents' parked waits are answered now with what they read, or the drain would wait on them.
  approval_waiter.Drain();
  bool idle = server.WaitIdle(std::chrono::seconds(cfg.drain_timeout));
  if (!idle) {
    observe::Warn("drain bound reached", {{"in_flight", std::to_string(server.in_flight())},
                                          {"drain_timeout", std::to_string(cfg.drain_timeout)}});
  }
  server.Stop();
  if (webhook_sender) webhook_sender->Stop();
  observe::Info("stopped");
  observe::FlushLogging();
  return 0;
}

}  // namespace oakgate::app
