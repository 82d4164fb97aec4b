// /dashboard/webhooks: the organization's webhook endpoints (CONTRACT §11) with their events,
// state and recent deliveries; owners and admins create, enable, disable, delete and rotate
// (manage::WebhookService checks every role; the page shows members no control).
//
// A new endpoint's signing secret is shown once, as a new invitation's link is (members.cpp):
// the POST answers 303, so reload and Back never make a second endpoint, and the secret waits
// for the page the 303 points at in a cookie scoped to that page alone, sealed to the session
// cookie (reveal.hpp); that page clears the cookie as it shows the secret. A rotation's new
// secret goes the same way.
#include <algorithm>

#include "gateway/crypto/base64.hpp"
#include "gateway/handlers/dashboard/pages.hpp"
#include "gateway/handlers/dashboard/reveal.hpp"
#include "gateway/http/cookies.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::dashboard {
namespace {

constexpr const char* kWebhooksPage = "/dashboard/webhooks";
constexpr int64_t kRecentDeliveries = 10;

std::string CreatedPage(const std::string& webhook_id) {
  return std::string(kWebhooksPage) + "/" + webhook_id + "/created";
}

std::string RevealCookieName(const DashboardContext& ctx) {
  return ctx.web.cookie_secure ? "__Host-oakgate_whsec" : "oakgate_whsec";
}

// The cookie carrying a new secret to the one page that shows it, for the few seconds between
// the 303 and that page's GET; never readable by a script.
std::string RevealCookie(const DashboardContext& ctx, const std::string& webhook_id,
                         const std::string& value) {
  http::CookieSpec spec{RevealCookieName(ctx), value, ctx.web.cookie_secure};
  spec.same_site = "Strict";
  // A __Host- cookie must have Path=/ (RFC 6265bis §4.1.3.2); the plain one is scoped to the
  // page that shows the secret.
  if (!ctx.web.cookie_secure) spec.path = CreatedPage(webhook_id);
  spec.max_age = value.empty() ? 0 : 600;
  return http::BuildSetCookie(spec);
}

http::Response ToReveal(const DashboardContext& ctx, const Visitor& v,
                        const manage::WebhookWithSecret& w) {
  const std::string& id = w.endpoint.id;
  http::Response r = SeeOther(CreatedPage(id));
  r.Set("Set-Cookie",
        RevealCookie(ctx, id, crypto::Base64UrlEncode(SealReveal(v.cookie, id, w.secret))));
  return r;
}

http::Response RenderWebhooks(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                              int status, nlohmann::json view) {
  manage::Principal who = Who(v, req);
  std::vector<std::string> chosen = view.value("form_events", std::vector<std::string>{});
  nlohmann::json events = nlohmann::json::array();
  for (std::string_view e : store::kWebhookEvents) {
    events.push_back({{"name", std::string(e)},
                      {"checked", std::find(chosen.begin(), chosen.end(), e) != chosen.end()}});
  }
  nlohmann::json hooks = nlohmann::json::array();
  auto list = ctx.webhooks.List(who);
  for (const auto& e : list ? list.value() : std::vector<store::WebhookEndpoint>{}) {
    nlohmann::json deliveries = nlohmann::json::array();
    if (auto page = ctx.webhooks.Deliveries(who, e.id, std::nullopt, kRecentDeliveries)) {
      for (const auto& d : page.value().data) {
        std::string last = d.last_status ? std::to_string(*d.last_status) : "";
        if (d.last_error) last += (last.empty() ? "" : " ") + *d.last_error;
        deliveries.push_back({{"id", d.id},
                              {"type", d.type},
                              {"status", d.status},
                              {"attempts", d.attempts},
                              {"last", last.empty() ? "none" : last},
                              {"created_at", Time(d.created_at)},
                              {"next_attempt_at", TimeOr(d.next_attempt_at, "none")}});
      }
    }
    hooks.push_back({{"id", e.id},
                     {"url", e.url},
                     {"description", e.description},
                     {"events", util::JoinList(e.events)},
                     {"enabled", e.enabled},
                     {"disabled_reason", e.disabled_reason.value_or("")},
                     {"created_at", Time(e.created_at)},
                     {"deliveries", deliveries},
                     {"has_deliveries", !deliveries.empty()}});
  }
  view["event_choices"] = events;
  view["webhooks"] = hooks;
  view["has_webhooks"] = !hooks.empty();
  return Page(ctx, v, status, "Webhooks", "webhooks", "dashboard_webhooks.html", view);
}

// A change that failed: the page again with the service's message at the top; an endpoint
// that is gone meanwhile, or is another organization's, is a 404 page.
http::Response Failed(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                      const manage::DomainError& error) {
  if (error.kind == manage::ErrorKind::kNotFound) return NotFoundPage(ctx);
  nlohmann::json view;
  AddFormError(view, "webhooks", error);
  return RenderWebhooks(ctx, v, req, kFormInvalid, std::move(view));
}

http::Response SetEnabled(DashboardContext& ctx, http::Request& req, bool enabled) {
  auto post = RequireForm(ctx, req, kWebhooksPage);
  if (!post) return post.error();
  if (auto refused = OtherOrganization(ctx, post.value())) return *refused;
  const Visitor& v = post.value().visitor;
  manage::WebhookInput input;
  input.enabled = enabled;
  auto done = ctx.webhooks.Update(Who(v, req), req.PathParam("webhook_id").value_or(""), input);
  if (!done) return Failed(ctx, v, req, done.error());
  return SeeOther(kWebhooksPage);
}

}  // namespace

http::Response ShowWebhooks(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  return RenderWebhooks(ctx, v.value(), req, 200, nlohmann::json::object());
}

http::Response CreateWebhook(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, kWebhooksPage);
  if (!post) return post.error();
  if (auto refused = OtherOrganization(ctx, post.value())) return *refused;
  const Visitor& v = post.value().visitor;
  const auto& f = post.value().fields;
  manage::WebhookInput input;
  input.url = f.Get("url").value_or("");
  input.description = f.Get("description").value_or("");
  // One checkbox per event, "event_<name>" (a form may not repeat a field).
  input.events.emplace();
  for (std::string_view e : store::kWebhookEvents) {
    if (f.Get("event_" + std::string(e))) input.events->emplace_back(e);
  }
  auto created = ctx.webhooks.Create(Who(v, req), input);
  if (created) return ToReveal(ctx, v, created.value());
  nlohmann::json view = {{"form_url", *input.url},
                         {"form_description", *input.description},
                         {"form_events", *input.events}};
  AddFormError(view, "create", created.error());
  return RenderWebhooks(ctx, v, req, kFormInvalid, std::move(view));
}

http::Response EnableWebhook(DashboardContext& ctx, http::Request& req) {
  return SetEnabled(ctx, req, true);
}

http::Response DisableWebhook(DashboardContext& ctx, http::Request& req) {
  return SetEnabled(ctx, req, false);
}

http::Response DeleteWebhook(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, kWebhooksPage);
  if (!post) return post.error();
  if (auto refused = OtherOrganization(ctx, post.value())) return *refused;
  const Visitor& v = post.value().visitor;
  auto done = ctx.webhooks.Delete(Who(v, req), req.PathParam("webhook_id").value_or(""));
  if (!done) return Failed(ctx, v, req, done.error());
  return SeeOther(kWebhooksPage);
}

http::Response RotateWebhook(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, kWebhooksPage);
  if (!post) return post.error();
  if (auto refused = OtherOrganization(ctx, post.value())) return *refused;
  const Visitor& v = post.value().visitor;
  auto rotated = ctx.webhooks.RotateSecret(Who(v, req), req.PathParam("webhook_id").value_or(""));
  if (!rotated) return Failed(ctx, v, req, rotated.error());
  return ToReveal(ctx, v, rotated.value());
}

http::Response ShowCreatedWebhook(DashboardContext& ctx, http::Request& req) {
  auto visitor = RequireVisitor(ctx, req);
  if (!visitor) return visitor.error();
  const Visitor& v = visitor.value();
  std::string id = req.PathParam("webhook_id").value_or("");
  auto found = ctx.webhooks.Get(Who(v, req), id);
  if (!found) return NotFoundPage(ctx);
  std::optional<std::string> secret;
  if (auto sealed = req.Cookie(RevealCookieName(ctx))) {
    if (auto bytes = crypto::Base64UrlDecode(*sealed)) secret = OpenReveal(v.cookie, id, *bytes);
  }
  nlohmann::json view = {{"url", found.value().url},
                         {"events", util::JoinList(found.value().events)},
                         {"revealed", secret.has_value()}};
  if (secret) view["secret"] = *secret;
  http::Response r = Page(ctx, v, 200, secret ? "Your webhook secret" : "Webhook secret",
                          "webhooks", "dashboard_webhook_created.html", view);
  // Shown at most this once: the browser forgets the secret with this answer.
  r.Set("Set-Cookie", RevealCookie(ctx, id, ""));
  return r;
}

}  // namespace oakgate::handlers::dashboard
