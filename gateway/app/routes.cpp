#include "gateway/app/routes.hpp"

#include <nlohmann/json.hpp>

#include "gateway/handlers/api/agents.hpp"
#include "gateway/handlers/api/api_keys.hpp"
#include "gateway/handlers/api/approvals.hpp"
#include "gateway/handlers/api/audit_events.hpp"
#include "gateway/handlers/api/decisions.hpp"
#include "gateway/handlers/api/invitations.hpp"
#include "gateway/handlers/api/orgs.hpp"
#include "gateway/handlers/api/usage.hpp"
#include "gateway/handlers/api/webhooks.hpp"
#include "gateway/handlers/dashboard/pages.hpp"
#include "gateway/handlers/oauth/endpoints.hpp"
#include "gateway/handlers/oauth/oauth_http.hpp"
#include "gateway/handlers/ops/health.hpp"
#include "gateway/handlers/ops/metrics.hpp"
#include "gateway/handlers/web/invitations.hpp"
#include "gateway/handlers/web/login.hpp"
#include "gateway/handlers/web/logout.hpp"
#include "gateway/handlers/web/pages.hpp"
#include "gateway/handlers/web/signup.hpp"
#include "gateway/oauth/discovery.hpp"

namespace oakgate::app {

using http::Exec;

namespace {

// CORS for endpoints browser-based clients call (CONTRACT §4): any origin, no credentials. A
// route decoration, so it is also on the answers the server gives for the route itself (the
// 503 of a database outage, a 500).
void AnyOrigin(http::Response& r) { handlers::oauth::AllowAnyOrigin(r); }

// Read-your-writes for this instance's caches: a change made by `inner` is applied to them
// before its response goes out.
http::Handler Synced(http::Handler inner, std::function<void()> sync) {
  return [inner = std::move(inner), sync = std::move(sync)](http::Request& req) {
    http::Response r = inner(req);
    if (sync) sync();
    return r;
  };
}

void AddOAuthRoutes(http::Router& r, handlers::oauth::OAuthContext& o,
                    const std::function<void()>& sync) {
  namespace h = handlers::oauth;
  auto discovery = [&o](http::Request& req) { return h::Discovery(o, req); };
  auto preflight_get = [](http::Request&) { return h::Preflight("GET, OPTIONS"); };
  auto preflight_post = [](http::Request&) { return h::Preflight("POST, OPTIONS"); };
  // RFC 8414 §3.1: with an issuer path, the path goes after the well-known segment.
  std::vector<std::string> well_known = {"/.well-known/oauth-authorization-server"};
  std::string issuer_path = oauth::IssuerPath(o.issuer);
  if (!issuer_path.empty()) well_known.push_back(well_known.front() + issuer_path);
  for (const auto& path : well_known) {
    r.Add("GET", path, Exec::kInline, discovery, AnyOrigin);
    r.Add("OPTIONS", path, Exec::kInline, preflight_get);
  }
  r.Add("GET", "/oauth/authorize", Exec::kPool,
        [&o](http::Request& req) { return h::Authorize(o, req); });
  r.Add("POST", "/oauth/authorize", Exec::kPool,
        [&o](http::Request& req) { return h::AuthorizeDecision(o, req); });
  // The token endpoint changes cached state only when it revokes (a reused refresh token or
  // authorization code, RFC 9700 §4.14.2, RFC 6749 §4.1.2): it syncs itself then
  // (OAuthContext::sync_caches).
  // Client credentials from a cached client go to the token writer's group commit from the
  // reactor thread; every other request goes to the pool.
  r.AddWithAsyncPath(
      "POST", "/oauth/token",
      [&o](http::Request& req, http::Reply reply) {
        return h::TokenAsync(o, req, std::move(reply));
      },
      [&o](http::Request& req) { return h::Token(o, req); }, AnyOrigin);
  r.Add("OPTIONS", "/oauth/token", Exec::kInline, preflight_post);
  // A cache hit answers on the reactor thread; anything else goes to the pool.
  r.AddWithFastPath(
      "POST", "/oauth/introspect", [&o](http::Request& req) { return h::IntrospectCached(o, req); },
      [&o](http::Request& req) { return h::Introspect(o, req); });
  r.Add("POST", "/oauth/revoke", Exec::kPool,
        Synced([&o](http::Request& req) { return h::Revoke(o, req); }, sync), AnyOrigin);
  r.Add("OPTIONS", "/oauth/revoke", Exec::kInline, preflight_post);
  r.Add(
      "POST", "/oauth/register", Exec::kPool,
      [&o](http::Request& req) { return h::Register(o, req); }, AnyOrigin);
  r.Add("OPTIONS", "/oauth/register", Exec::kInline, preflight_post);
}

// The dashboard (issue 9): HTML pages behind the browser session; every page reads
// PostgreSQL, so all but the static script run on the pool.
void AddDashboardRoutes(http::Router& r, handlers::dashboard::DashboardContext& dash,
                        const std::function<void()>& sync) {
  namespace h = handlers::dashboard;
  auto add = [&r, &dash, sync](const char* method, const char* pattern,
                               http::Response (*handler)(h::DashboardContext&, http::Request&)) {
    http::Handler run = [&dash, handler](http::Request& req) { return handler(dash, req); };
    if (std::string_view(method) != "GET") run = Synced(std::move(run), sync);
    r.Add(method, pattern, Exec::kPool, std::move(run));
  };
  r.Add("GET", "/dashboard/static/dashboard.js", Exec::kInline, h::DashboardScript);
  // Issue 29: browsers ask every origin for its icon; a 404 is a console error on a fresh page.
  r.Add("GET", "/favicon.ico", Exec::kInline, h::Favicon);
  add("GET", "/dashboard", h::ShowSummary);
  add("GET", "/dashboard/agents", h::ShowAgents);
  add("POST", "/dashboard/agents", h::CreateAgent);
  add("GET", "/dashboard/agents/{agent_id}", h::ShowAgent);
  add("POST", "/dashboard/agents/{agent_id}", h::UpdateAgent);
  add("POST", "/dashboard/agents/{agent_id}/disable", h::DisableAgent);
  add("POST", "/dashboard/agents/{agent_id}/tools", h::CreateTool);
  add("POST", "/dashboard/agents/{agent_id}/tools/{tool_name}/delete", h::DeleteTool);
  add("POST", "/dashboard/agents/{agent_id}/rules", h::CreateRule);
  add("GET", "/dashboard/agents/{agent_id}/rules/{rule_id}", h::ShowRule);
  add("POST", "/dashboard/agents/{agent_id}/rules/{rule_id}", h::UpdateRule);
  add("POST", "/dashboard/agents/{agent_id}/rules/{rule_id}/delete", h::DeleteRule);
  add("GET", "/dashboard/keys", h::ShowKeys);
  add("POST", "/dashboard/keys", h::CreateKey);
  add("POST", "/dashboard/keys/{key_id}/revoke", h::RevokeKey);
  add("POST", "/dashboard/keys/{key_id}/rotate", h::RotateKey);
  add("GET", "/dashboard/keys/{key_id}/created", h::ShowCreatedKey);
  add("GET", "/dashboard/decisions", h::ShowDecisions);
  add("GET", "/dashboard/decisions/{decision_id}", h::ShowDecision);
  add("GET", "/dashboard/approvals", h::ShowApprovals);
  add("POST", "/dashboard/approvals/{approval_id}/approve", h::ApproveApproval);
  add("POST", "/dashboard/approvals/{approval_id}/deny", h::DenyApproval);
  add("GET", "/dashboard/credentials", h::ShowCredentials);
  add("POST", "/dashboard/credentials/sessions/{session_id}/end", h::EndSession);
  add("POST", "/dashboard/credentials/grants/{grant_id}/revoke", h::RevokeGrant);
  add("POST", "/dashboard/credentials/sign-out-everywhere", h::SignOutEverywhere);
  add("GET", "/dashboard/audit", h::ShowAudit);
  add("POST", "/dashboard/org", h::SwitchOrg);
  add("POST", "/dashboard/orgs", h::CreateOrg);
  add("GET", "/dashboard/members", h::ShowMembers);
  add("GET", "/dashboard/usage", h::ShowUsage);
  add("POST", "/dashboard/members/{user_id}/role", h::SetMemberRole);
  add("POST", "/dashboard/members/{user_id}/remove", h::RemoveMember);
  add("POST", "/dashboard/members/invitations", h::CreateInvitation);
  add("GET", "/dashboard/members/invitations/{invitation_id}/created", h::ShowCreatedInvitation);
  add("POST", "/dashboard/members/invitations/{invitation_id}/revoke", h::RevokeInvitation);
  add("GET", "/dashboard/webhooks", h::ShowWebhooks);
  add("POST", "/dashboard/webhooks", h::CreateWebhook);
  add("GET", "/dashboard/webhooks/{webhook_id}/created", h::ShowCreatedWebhook);
  add("POST", "/dashboard/webhooks/{webhook_id}/enable", h::EnableWebhook);
  add("POST", "/dashboard/webhooks/{webhook_id}/disable", h::DisableWebhook);
  add("POST", "/dashboard/webhooks/{webhook_id}/delete", h::DeleteWebhook);
  add("POST", "/dashboard/webhooks/{webhook_id}/rotate", h::RotateWebhook);
  add("GET", "/dashboard/admin/users", h::ShowUsers);
  add("POST", "/dashboard/admin/users/{user_id}/disable", h::DisableUser);
  add("GET", "/dashboard/admin/clients", h::ShowClients);
}

// The legacy JWT bridge (CONTRACT §12): both endpoints read PostgreSQL (the user, the replay
// record), so both run on the pool; exchange only with legacy_exchange_client set.
void AddLegacyRoutes(http::Router& r, handlers::legacy::LegacyContext& ctx, bool exchange) {
  namespace h = handlers::legacy;
  r.Add(
      "POST", "/legacy/introspect", Exec::kPool,
      [&ctx](http::Request& req) { return h::LegacyIntrospect(ctx, req); }, AnyOrigin);
  if (exchange) {
    r.Add(
        "POST", "/legacy/exchange", Exec::kPool,
        [&ctx](http::Request& req) { return h::LegacyExchange(ctx, req); }, AnyOrigin);
  }
}

}  // namespace

http::Router BuildRoutes(RouteDeps d) {
  http::Router r;
  r.Add("GET", "/healthz", Exec::kInline, handlers::ops::Healthz);
  r.Add("GET", "/metrics", Exec::kInline, handlers::ops::MetricsPage);
  r.Add("GET", "/readyz", Exec::kPool, [&db = d.db, &draining = d.draining](http::Request& req) {
    return handlers::ops::Readyz(db, draining, req);
  });
  auto& web = d.web;
  r.Add("GET", "/", Exec::kPool,
        [&web](http::Request& req) { return handlers::web::ShowHome(web, req); });
  // The login page of a pending authorization request looks up its client (for CSP
  // form-action), and POST runs scrypt and queries: both on the pool.
  r.Add("GET", "/web/login", Exec::kPool,
        [&web](http::Request& req) { return handlers::web::ShowLogin(web, req); });
  r.Add("POST", "/web/login", Exec::kPool,
        [&web](http::Request& req) { return handlers::web::SubmitLogin(web, req); });
  r.Add("POST", "/web/logout", Exec::kPool,
        [&web](http::Request& req) { return handlers::web::SubmitLogout(web, req); });
  // Sign-up and invitations (CONTRACT §9) read invitations, run scrypt and write: the pool.
  r.Add("GET", "/web/signup", Exec::kPool,
        [&web](http::Request& req) { return handlers::web::ShowSignup(web, req); });
  r.Add("POST", "/web/signup", Exec::kPool,
        [&web](http::Request& req) { return handlers::web::SubmitSignup(web, req); });
  r.Add("GET", "/web/invitations/{token}", Exec::kPool,
        [&web](http::Request& req) { return handlers::web::ShowInvitation(web, req); });
  r.Add("POST", "/web/invitations/{token}", Exec::kPool,
        Synced([&web](http::Request& req) { return handlers::web::AcceptInvitation(web, req); },
               d.sync_caches));

  // The management API and the validation engine: all of it reads PostgreSQL, so all of it
  // runs on the pool. Each API route declares the scope its access token must carry; the
  // handler is called with the authenticated caller, or never (401 or 403).
  auto& api = d.api;
  auto add_api = [&r, &api, sync = d.sync_caches](const char* method, const char* pattern,
                                                  std::string_view scope,
                                                  handlers::api::ApiHandler handler) {
    http::Handler run = [&api, scope, handler](http::Request& req) {
      auto who = handlers::api::Authenticate(api, req, scope);
      if (!who) return who.error();
      return handler(api, who.value(), req);
    };
    if (std::string_view(method) != "GET") run = Synced(std::move(run), sync);
    r.Add(method, pattern, Exec::kPool, std::move(run));
  };
  namespace h = handlers::api;
  using manage::kAgentsScope;
  using manage::kKeysScope;
  add_api("POST", "/api/v1/auth/api-keys", kKeysScope, h::CreateApiKey);
  add_api("GET", "/api/v1/auth/api-keys", kKeysScope, h::ListApiKeys);
  add_api("DELETE", "/api/v1/auth/api-keys/{key_id}", kKeysScope, h::RevokeApiKey);
  add_api("POST", "/api/v1/auth/api-keys/{key_id}/rotate", kKeysScope, h::RotateApiKey);
  add_api("POST", "/api/v1/agents", kAgentsScope, h::CreateAgent);
  add_api("GET", "/api/v1/agents", kAgentsScope, h::ListAgents);
  add_api("GET", "/api/v1/agents/{agent_id}", kAgentsScope, h::GetAgent);
  add_api("PATCH", "/api/v1/agents/{agent_id}", kAgentsScope, h::PatchAgent);
  add_api("DELETE", "/api/v1/agents/{agent_id}", kAgentsScope, h::DeleteAgent);
  add_api("POST", "/api/v1/agents/{agent_id}/tools", kAgentsScope, h::CreateTool);
  add_api("GET", "/api/v1/agents/{agent_id}/tools", kAgentsScope, h::ListTools);
  add_api("GET", "/api/v1/agents/{agent_id}/tools/{name}", kAgentsScope, h::GetTool);
  add_api("PATCH", "/api/v1/agents/{agent_id}/tools/{name}", kAgentsScope, h::PatchTool);
  add_api("DELETE", "/api/v1/agents/{agent_id}/tools/{name}", kAgentsScope, h::DeleteTool);
  add_api("POST", "/api/v1/agents/{agent_id}/rules", kAgentsScope, h::CreateRule);
  add_api("GET", "/api/v1/agents/{agent_id}/rules", kAgentsScope, h::ListRules);
  add_api("GET", "/api/v1/agents/{agent_id}/rules/{rule_id}", kAgentsScope, h::GetRule);
  add_api("PATCH", "/api/v1/agents/{agent_id}/rules/{rule_id}", kAgentsScope, h::PatchRule);
  add_api("DELETE", "/api/v1/agents/{agent_id}/rules/{rule_id}", kAgentsScope, h::DeleteRule);
  add_api("GET", "/api/v1/decisions", kAgentsScope, h::ListDecisions);
  add_api("GET", "/api/v1/audit-events", kAgentsScope, h::ListAuditEvents);
  add_api("GET", "/api/v1/orgs", kAgentsScope, h::ListOrgs);
  add_api("POST", "/api/v1/orgs", kAgentsScope, h::CreateOrg);
  add_api("GET", "/api/v1/orgs/{org}", kAgentsScope, h::GetOrg);
  add_api("PATCH", "/api/v1/orgs/{org}", kAgentsScope, h::PatchOrg);
  add_api("DELETE", "/api/v1/orgs/{org}", kAgentsScope, h::DeleteOrg);
  add_api("GET", "/api/v1/orgs/{org}/members", kAgentsScope, h::ListMembers);
  add_api("PATCH", "/api/v1/orgs/{org}/members/{user_id}", kAgentsScope, h::PatchMember);
  add_api("DELETE", "/api/v1/orgs/{org}/members/{user_id}", kAgentsScope, h::RemoveMember);
  add_api("GET", "/api/v1/usage", kAgentsScope, h::GetUsage);
  add_api("GET", "/api/v1/approvals", kAgentsScope, h::ListApprovals);
  add_api("GET", "/api/v1/approvals/{approval_id}", kAgentsScope, h::GetApproval);
  add_api("POST", "/api/v1/approvals/{approval_id}/approve", kAgentsScope, h::ApproveApproval);
  add_api("POST", "/api/v1/approvals/{approval_id}/deny", kAgentsScope, h::DenyApproval);
  add_api("POST", "/api/v1/webhooks", kAgentsScope, h::CreateWebhook);
  add_api("GET", "/api/v1/webhooks", kAgentsScope, h::ListWebhooks);
  add_api("GET", "/api/v1/webhooks/{webhook_id}", kAgentsScope, h::GetWebhook);
  add_api("PATCH", "/api/v1/webhooks/{webhook_id}", kAgentsScope, h::PatchWebhook);
  add_api("DELETE", "/api/v1/webhooks/{webhook_id}", kAgentsScope, h::DeleteWebhook);
  add_api("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret", kAgentsScope,
          h::RotateWebhookSecret);
  add_api("GET", "/api/v1/webhooks/{webhook_id}/deliveries", kAgentsScope,
          h::ListWebhookDeliveries);
  add_api("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", kAgentsScope,
          h::RetryWebhookDelivery);
  add_api("GET", "/api/v1/orgs/{org}/invitations", kAgentsScope, h::ListInvitations);
  add_api("POST", "/api/v1/orgs/{org}/invitations", kAgentsScope, h::CreateInvitation);
  add_api("DELETE", "/api/v1/orgs/{org}/invitations/{invitation_id}", kAgentsScope,
          h::RevokeInvitation);
  auto& validate = d.validate;
  // The common case answers from memory once its decision commits; the rest goes to the pool.
  r.AddWithAsyncPath(
      "POST", "/v1/validate",
      [&validate](http::Request& req, http::Reply reply) {
        return handlers::validate::ValidateAsync(validate, req, std::move(reply));
      },
      [&validate](http::Request& req) { return handlers::validate::Validate(validate, req); });
  // An agent's wait for a human (CONTRACT §10): read on the pool, then parked without a thread.
  r.AddParking("GET", "/v1/approvals/{approval_id}",
               [&validate](http::Request& req, http::Reply reply) {
                 return handlers::validate::GetAgentApproval(validate, req, std::move(reply));
               });
  AddOAuthRoutes(r, d.oauth, d.sync_caches);
  AddDashboardRoutes(r, d.dashboard, d.sync_caches);
  if (d.legacy) AddLegacyRoutes(r, *d.legacy, d.legacy->exchange);
  return r;
}

http::Response RenderError(const render::Templates& templates, const http::Request* request,
                           int status, std::string_view code, std::string_view message) {
  std::string path = request ? request->path : "";
  bool html = path == "/" || path.rfind("/web/", 0) == 0 || path.rfind("/dashboard", 0) == 0 ||
              path == "/oauth/authorize";
  if (html) {
    std::string title = status == 503   ? "Temporarily unavailable"
                        : status == 404 ? "Not found"
                        : status == 405 ? "Method not allowed"
                        : status >= 500 ? "Something went wrong"
                                        : "Bad request";
    return handlers::web::ErrorPage(templates, status, title, message, code);
  }
  nlohmann::json body = {{"error", code}, {"error_description", message}};
  http::Response r = http::Response::Json(status, body.dump());
  r.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace oakgate::app
