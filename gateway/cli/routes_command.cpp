// `oakgate routes`: the (method, path) table `serve` would answer with this configuration, as
// JSON. It is read from the router app::ServedRoutes builds, as `serve` does, over the same
// services `serve` wires (none of which is called: building the table opens no connection),
// so the listing is the served table itself; tests/openapi compares it with docs/openapi.yaml.
#include <atomic>
#include <memory>

#include "gateway/apikey/key_verifier.hpp"
#include "gateway/app/application.hpp"
#include "gateway/app/legacy_setup.hpp"
#include "gateway/app/web_stack.hpp"
#include "gateway/cli/commands.hpp"
#include "gateway/crypto/random.hpp"
#include "gateway/handlers/oauth/endpoints.hpp"
#include "gateway/manage/services.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/oauth/authorize.hpp"
#include "gateway/oauth/client_auth.hpp"
#include "gateway/oauth/discovery.hpp"
#include "gateway/oauth/introspection.hpp"
#include "gateway/oauth/registration.hpp"
#include "gateway/oauth/revocation.hpp"
#include "gateway/oauth/token_service.hpp"
#include "gateway/policy/decision_writer.hpp"
#include "gateway/policy/policy_cache.hpp"
#include "gateway/policy/shared_rate_limiter.hpp"
#include "gateway/policy/validator.hpp"
#include "gateway/store/pg/pg_database.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::cli {
namespace {

nlohmann::json ListRoutes(const config::Config& cfg) {
  // The database is named but never opened: PgDatabase connects on first use, and no handler
  // runs here.
  store::pg::PgDatabase db(cfg.database_url);
  app::WebStack browser(cfg, db, 1);
  handlers::web::WebContext& web = browser.web;
  oauth::OAuthSettings oauth_settings;
  oauth_settings.issuer = cfg.issuer;
  const util::Clock& clock = util::SystemClock::Instance();
  oauth::ClientAuthenticator client_auth(db, clock, oauth_settings.client_auth);
  oauth::AuthorizeService authorize(db, oauth_settings);
  oauth::TokenService tokens(db, client_auth, oauth_settings);
  oauth::IntrospectionService introspection(db, client_auth, cfg.issuer);
  oauth::RevocationService revocation(db, client_auth);
  oauth::RegistrationService registration(db, oauth::RegistrationSettings{});
  handlers::oauth::OAuthContext oauth_ctx{
      web,        authorize,
      tokens,     introspection,
      revocation, registration,
      cfg.issuer, oauth::DiscoveryDocument(cfg.issuer, cfg.registration != "off"),
      {}};
  std::atomic<bool> draining{false};
  policy::DecisionWriter decision_writer(db.Decisions(), policy::DecisionWriterOptions{});
  policy::SharedRateLimiter rate_limiter(db.RateBuckets());
  oauth::AccessTokenVerifier access_tokens(db);
  // `routes` calls no service, so the box never seals: any key will do when none is set.
  crypto::SecretBox webhook_box({cfg.secret.empty() ? std::string("routes") : cfg.secret},
                                "oakgate webhook secret v1");
  manage::Services services(db, webhook_box, cfg.webhook_allow_private);
  apikey::KeyVerifier key_verifier(db, clock);
  policy::CachedPolicies policies(db, nullptr);
  policy::Validator validator(key_verifier, rate_limiter, policies, clock,
                              crypto::SystemRandom::Instance());
  // The legacy bridge's routes exist only when it is configured, as in `serve`.
  app::LegacyStack legacy(cfg, db, client_auth, tokens, clock);
  app::ServedRoutes routes(app::RouteServices{db,
                                              web,
                                              oauth_ctx,
                                              draining,
                                              access_tokens,
                                              services,
                                              validator,
                                              decision_writer,
                                              clock,
                                              {},
                                              legacy.context()});
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : routes.router.Entries())
    out.push_back({{"method", e.method}, {"path", e.pattern}});
  return out;
}

}  // namespace

void RegisterRoutes(CLI::App& app, GlobalFlags& flags, Action& action) {
  auto* cmd = app.add_subcommand(
      "routes",
      "Print every route `serve` answers with this configuration as a JSON array of "
      "{\"method\", \"path\"} (the legacy JWT bridge's only when it is configured)");
  cmd->callback([&flags, &action] {
    action = [&flags] {
      config::Config cfg = LoadConfig(flags);
      try {
        app::LoadLegacyKeys(cfg);  // a refused legacy JWT key is bad configuration: exit 2
      } catch (const config::ConfigError& e) {
        throw CommandError(kExitUsage, std::string("configuration error: ") + e.what());
      }
      PrintJson(ListRoutes(cfg));
      return kExitOk;
    };
  });
}

}  // namespace oakgate::cli
