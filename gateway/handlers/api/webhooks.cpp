#include "gateway/handlers/api/webhooks.hpp"

#include "gateway/http/form.hpp"

namespace oakgate::handlers::api {
namespace {

nlohmann::json TextOrNull(const std::optional<std::string>& s) {
  return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}

std::string WebhookId(const http::Request& req) { return req.PathParam("webhook_id").value_or(""); }

nlohmann::json WithSecret(const manage::WebhookWithSecret& w) {
  nlohmann::json out = WebhookJson(w.endpoint);
  out["secret"] = w.secret;
  return out;
}

// POST creates (no "enabled": a new endpoint is enabled); PATCH may also set "enabled".
manage::Outcome<manage::WebhookInput> ReadWebhook(const nlohmann::json& o, bool creating) {
  manage::WebhookInput in;
  Fields fields = creating ? Fields(o, {"url", "events", "description"})
                           : Fields(o, {"url", "events", "description", "enabled"});
  fields.String("url", in.url).Strings("events", in.events).String("description", in.description);
  if (!creating) fields.Bool("enabled", in.enabled);
  return fields.Into(std::move(in));
}

}  // namespace

nlohmann::json WebhookJson(const store::WebhookEndpoint& e) {
  return {{"id", e.id},
          {"url", e.url},
          {"description", e.description},
          {"events", e.events},
          {"enabled", e.enabled},
          {"disabled_reason", TextOrNull(e.disabled_reason)},
          {"created_at", TimeOrNull(e.created_at)}};
}

nlohmann::json DeliveryJson(const store::WebhookDelivery& d) {
  return {{"id", d.id},
          {"event_id", d.event_id},
          {"type", d.type},
          {"status", d.status},
          {"attempts", d.attempts},
          {"last_status", d.last_status ? nlohmann::json(*d.last_status) : nlohmann::json(nullptr)},
          {"last_error", TextOrNull(d.last_error)},
          {"next_attempt_at", TimeOrNull(d.next_attempt_at)},
          {"created_at", TimeOrNull(d.created_at)},
          {"delivered_at", TimeOrNull(d.delivered_at)}};
}

http::Response CreateWebhook(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto body = ParseObject(req);
  if (!body) return body.error();
  auto input = ReadWebhook(body.value(), true);
  if (!input) return Render(input.error());
  return Answer(ctx.webhooks.Create(who, input.value()), 201, WithSecret);
}

http::Response ListWebhooks(ApiContext& ctx, const Principal& who, http::Request&) {
  return AnswerList(ctx.webhooks.List(who), WebhookJson);
}

http::Response GetWebhook(ApiContext& ctx, const Principal& who, http::Request& req) {
  return Answer(ctx.webhooks.Get(who, WebhookId(req)), 200, WebhookJson);
}

http::Response PatchWebhook(ApiContext& ctx, const Principal& who, http::Request& req) {
  // Another organization's id is not found whatever the body holds.
  auto found = ctx.webhooks.Get(who, WebhookId(req));
  if (!found) return Render(found.error());
  auto body = ParseObject(req);
  if (!body) return body.error();
  auto input = ReadWebhook(body.value(), false);
  if (!input) return Render(input.error());
  return Answer(ctx.webhooks.Update(who, WebhookId(req), input.value()), 200, WebhookJson);
}

http::Response DeleteWebhook(ApiContext& ctx, const Principal& who, http::Request& req) {
  return NoContent(ctx.webhooks.Delete(who, WebhookId(req)));
}

http::Response RotateWebhookSecret(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto body = ParseObject(req, /*empty_is_object=*/true);
  if (!body) return body.error();
  if (auto bad = RejectUnknown(body.value(), {})) return *bad;
  return Answer(ctx.webhooks.RotateSecret(who, WebhookId(req)), 200, WithSecret);
}

http::Response ListWebhookDeliveries(ApiContext& ctx, const Principal& who, http::Request& req) {
  http::FormError form_error;
  auto params = http::ParseUrlEncoded(req.raw_query, &form_error);
  if (!params) return Error(400, "invalid_request", form_error.description);
  std::optional<std::string> cursor;
  int64_t limit = 50;
  for (const auto& [name, value] : params->items()) {
    if (params->Count(name) > 1) return BadField(name, name + " is repeated");
    if (name == "cursor") {
      cursor = value;
    } else if (name == "limit") {
      if (auto bad = ReadLimit(value, limit)) return *bad;
    } else {
      return BadField(name, "unknown parameter \"" + name + "\"");
    }
  }
  return Answer(
      ctx.webhooks.Deliveries(who, WebhookId(req), cursor, limit), 200,
      [](const manage::DeliveryPage& page) {
        nlohmann::json data = nlohmann::json::array();
        for (const auto& d : page.data) data.push_back(DeliveryJson(d));
        return nlohmann::json{{"data", data}, {"next_cursor", TextOrNull(page.next_cursor)}};
      });
}

http::Response RetryWebhookDelivery(ApiContext& ctx, const Principal& who, http::Request& req) {
  return Answer(
      ctx.webhooks.RetryDelivery(who, WebhookId(req), req.PathParam("delivery_id").value_or("")),
      200, DeliveryJson);
}

}  // namespace oakgate::handlers::api
