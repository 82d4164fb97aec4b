#include "gateway/manage/webhook_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "gateway/manage/fields.hpp"
#include "gateway/webhook/address_policy.hpp"
#include "gateway/webhook/signature.hpp"

namespace oakgate::manage {
namespace {

constexpr const char* kNoWebhook = "no such webhook";
constexpr const char* kNoDelivery = "no such delivery";

bool IsEvent(std::string_view e) {
  return std::find(std::begin(store::kWebhookEvents), std::end(store::kWebhookEvents), e) !=
         std::end(store::kWebhookEvents);
}

std::optional<DomainError> CheckEvents(const std::vector<std::string>& events) {
  if (events.empty()) return Invalid("events", "events must name at least one event").error;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!IsEvent(events[i])) {
      return Invalid("events",
                     "events must be among decision.denied, approval.requested, "
                     "approval.decided, api_key.created, api_key.revoked, quota.exceeded, "
                     "rate_limit.exceeded")
          .error;
    }
    if (std::find(events.begin(), events.begin() + static_cast<ptrdiff_t>(i), events[i]) !=
        events.begin() + static_cast<ptrdiff_t>(i)) {
      return Invalid("events", "events must not name an event twice").error;
    }
  }
  return std::nullopt;
}

std::optional<DomainError> Apply(const WebhookInput& in, store::WebhookEndpoint& e,
                                 bool allow_private) {
  if (in.url) {
    if (auto why = webhook::CheckUrl(*in.url, allow_private)) return Invalid("url", *why).error;
  }
  if (in.events) {
    if (auto bad = CheckEvents(*in.events)) return bad;
  }
  if (in.description && !IsPlainText(*in.description, WebhookService::kMaxDescription)) {
    return Invalid("description", "description must be text of at most 500 bytes").error;
  }
  if (in.url) e.url = *in.url;
  if (in.events) e.events = *in.events;
  if (in.description) e.description = *in.description;
  if (in.enabled) {
    e.enabled = *in.enabled;
    if (e.enabled) e.disabled_reason.reset();
  }
  return std::nullopt;
}

std::string Details(const WebhookInput& in) {
  nlohmann::json d = nlohmann::json::object();
  if (in.url) d["url"] = *in.url;
  if (in.events) d["events"] = *in.events;
  if (in.description) d["description"] = *in.description;
  if (in.enabled) d["enabled"] = *in.enabled;
  return d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A deliveries cursor is "<created_ms>:<id>" of the last delivery of the page before.
bool IsCursor(std::string_view c) { return IsKeysetCursor(c, 16); }

}  // namespace

std::pair<std::string, std::string> WebhookService::NewSecret() {
  std::string secret = webhook::NewSecret(random_);
  std::string sealed = box_.Seal(secret, random_);
  return {std::move(secret), std::move(sealed)};
}

Outcome<WebhookWithSecret> WebhookService::Create(const Principal& who, const WebhookInput& input) {
  if (!who.CanManage()) return Forbidden("only owners and admins manage webhooks");
  if (!input.url) return Invalid("url", "url is required");
  if (!input.events) return Invalid("events", "events is required");
  store::WebhookEndpoint e;
  e.org_id = who.org_id;
  if (auto bad = Apply(input, e, allow_private_)) return util::Fail(*bad);
  e.enabled = true;
  if (store_.List(who.org_id).size() >= kMaxEndpoints) {
    return Conflict("too many webhook endpoints: an organization may have 20");
  }
  auto [secret, sealed] = NewSecret();
  e.secret_sealed = std::move(sealed);
  WebhookWithSecret out{store_.Create(e, who.Audit("webhook.created", "", Details(input))),
                        std::move(secret)};
  return out;
}

Outcome<std::vector<store::WebhookEndpoint>> WebhookService::List(const Principal& who) {
  return store_.List(who.org_id);
}

Outcome<store::WebhookEndpoint> WebhookService::Get(const Principal& who, std::string_view id) {
  auto found = IsUuid(id) ? store_.Find(who.org_id, id) : std::nullopt;
  if (!found) return NotFound(kNoWebhook);
  return *found;
}

Outcome<store::WebhookEndpoint> WebhookService::Writable(const Principal& who,
                                                         std::string_view id) {
  auto found = Get(who, id);
  if (!found) return found;
  if (!who.CanManage()) return Forbidden("only owners and admins manage webhooks");
  return found;
}

Outcome<store::WebhookEndpoint> WebhookService::Update(const Principal& who, std::string_view id,
                                                       const WebhookInput& input) {
  auto current = Writable(who, id);
  if (!current) return current;
  store::WebhookEndpoint e = current.value();
  if (auto bad = Apply(input, e, allow_private_)) return util::Fail(*bad);
  if (!store_.Update(e, who.Audit("webhook.updated", e.id, Details(input)))) {
    return NotFound(kNoWebhook);
  }
  return e;
}

Outcome<Done> WebhookService::Delete(const Principal& who, std::string_view id) {
  auto current = Writable(who, id);
  if (!current) return util::Fail(current.error());
  if (!store_.Delete(who.org_id, id, who.Audit("webhook.deleted", std::string(id)))) {
    return NotFound(kNoWebhook);
  }
  return Done{};
}

Outcome<WebhookWithSecret> WebhookService::RotateSecret(const Principal& who, std::string_view id) {
  auto current = Writable(who, id);
  if (!current) return util::Fail(current.error());
  auto [secret, sealed] = NewSecret();
  int64_t previous_until = clock_.NowSeconds() + kRotationOverlapSeconds;
  nlohmann::json details = {{"previous_until", previous_until}};
  auto rotated =
      store_.RotateSecret(who.org_id, id, sealed, previous_until,
                          who.Audit("webhook.secret_rotated", std::string(id), details.dump()));
  if (!rotated) return NotFound(kNoWebhook);
  WebhookWithSecret out{std::move(*rotated), std::move(secret)};
  return out;
}

Outcome<DeliveryPage> WebhookService::Deliveries(const Principal& who, std::string_view id,
                                                 const std::optional<std::string>& cursor,
                                                 int64_t limit) {
  auto endpoint = Get(who, id);
  if (!endpoint) return util::Fail(endpoint.error());
  if (cursor && !IsCursor(*cursor)) return Invalid("cursor", "cursor is not one this API gave");
  if (auto bad = OutOfRange("limit", limit, 1, kMaxDeliveryPage)) return util::Fail(*bad);
  DeliveryPage page;
  // One more than asked tells whether a next page exists.
  page.data = store_.ListDeliveries(who.org_id, id, cursor, limit + 1);
  if (static_cast<int64_t>(page.data.size()) > limit) {
    page.data.resize(static_cast<size_t>(limit));
    const auto& last = page.data.back();
    page.next_cursor = std::to_string(last.created_ms) + ":" + last.id;
  }
  return page;
}

Outcome<store::WebhookDelivery> WebhookService::RetryDelivery(const Principal& who,
                                                              std::string_view id,
                                                              std::string_view delivery_id) {
  auto current = Writable(who, id);
  if (!current) return util::Fail(current.error());
  if (!IsUuid(delivery_id)) return NotFound(kNoDelivery);
  auto retried = store_.RetryDelivery(
      who.org_id, id, delivery_id, clock_.NowMillis(),
      who.Audit("webhook.delivery_retried", std::string(id),
                nlohmann::json{{"delivery_id", std::string(delivery_id)}}.dump()));
  if (!retried) return NotFound(kNoDelivery);
  return *retried;
}

}  // namespace oakgate::manage
