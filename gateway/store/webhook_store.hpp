#pragma once
// Webhooks (CONTRACT §11, sql/0015): an organization's endpoints, and the outbox of their
// deliveries. Events are written into the outbox by triggers in the transaction of what caused
// them (sql/0015); this store manages endpoints and lets senders claim and settle deliveries.
// Times are the gateway's (its injected Clock), in Unix seconds or milliseconds as named.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"

namespace oakgate::store {

// The events an endpoint may subscribe to (CONTRACT §11).
inline constexpr std::string_view kWebhookEvents[] = {
    "decision.denied", "approval.requested", "approval.decided",   "api_key.created",
    "api_key.revoked", "quota.exceeded",     "rate_limit.exceeded"};

struct WebhookEndpoint {
  std::string id;
  std::string org_id;
  std::string url;
  std::string description;
  std::vector<std::string> events;
  bool enabled = true;
  std::optional<std::string> disabled_reason;  // set when the gateway disabled it
  std::string secret_sealed;                   // crypto::SecretBox-sealed "whsec_..." secret
  std::optional<std::string> previous_sealed;  // during a rotation
  std::optional<int64_t> previous_until;       // the previous secret signs until then
  int64_t created_at = 0;
};

struct WebhookDelivery {
  std::string id;
  std::string event_id;  // the webhook-id, stable across retries
  std::string endpoint_id;
  std::string type;
  std::string status;  // pending, succeeded, failed
  int64_t attempts = 0;
  std::optional<int64_t> last_status;  // the HTTP status of the last attempt, if it had one
  std::optional<std::string> last_error;
  std::optional<int64_t> next_attempt_at;  // pending only
  int64_t created_at = 0;
  int64_t created_ms = 0;  // the same in Unix milliseconds: the deliveries' page cursor
  std::optional<int64_t> delivered_at;
};

// A delivery a sender claimed, with what it needs to send it.
struct DueDelivery {
  std::string id;
  std::string event_id;
  std::string endpoint_id;
  std::string type;
  std::string payload;  // the body, as sent on every attempt
  int64_t attempts = 0;
  int64_t created_ms = 0;  // Unix milliseconds
  std::string url;
  std::string secret_sealed;
  std::optional<std::string> previous_sealed;
  std::optional<int64_t> previous_until;
};

struct WebhookQueue {
  int64_t depth = 0;               // pending deliveries
  int64_t oldest_age_seconds = 0;  // of the oldest pending one; 0 when none
};

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // Management, scoped by the organization (another organization's id is not found).
  virtual WebhookEndpoint Create(const WebhookEndpoint& endpoint, const AuditEvent& audit) = 0;
  virtual std::vector<WebhookEndpoint> List(std::string_view org_id) = 0;
  virtual std::optional<WebhookEndpoint> Find(std::string_view org_id, std::string_view id) = 0;
  // Writes url, description, events and enabled; enabling clears disabled_reason and the
  // failure streak.
  virtual bool Update(const WebhookEndpoint& endpoint, const AuditEvent& audit) = 0;
  virtual bool Delete(std::string_view org_id, std::string_view id, const AuditEvent& audit) = 0;
  // The new secret signs from now on; the current one becomes the previous one until
  // `previous_until`.
  virtual std::optional<WebhookEndpoint> RotateSecret(std::string_view org_id, std::string_view id,
                                                      const std::string& secret_sealed,
                                                      int64_t previous_until,
                                                      const AuditEvent& audit) = 0;
  // Newest first; `before` is a cursor "<created_ms>:<id>" from the previous page.
  virtual std::vector<WebhookDelivery> ListDeliveries(std::string_view org_id,
                                                      std::string_view endpoint_id,
                                                      const std::optional<std::string>& before,
                                                      int64_t limit) = 0;
  // Makes the delivery pending again, due now (a failed one gets another 24 h of retries).
  virtual std::optional<WebhookDelivery> RetryDelivery(std::string_view org_id,
                                                       std::string_view endpoint_id,
                                                       std::string_view delivery_id, int64_t now_ms,
                                                       const AuditEvent& audit) = 0;

  // Senders. Claims up to `limit` due deliveries (FOR UPDATE SKIP LOCKED, so instances never
  // claim the same one) of enabled endpoints not in `busy`, leasing each until
  // now + lease_ms; another sender takes a delivery only after its lease ran out.
  virtual std::vector<DueDelivery> Claim(int64_t now_ms, int64_t lease_ms, int64_t limit,
                                         const std::vector<std::string>& busy) = 0;
  // Whether the endpoint still exists and is enabled (checked just before sending).
  virtual bool EndpointLive(std::string_view endpoint_id) = 0;
  virtual void Succeeded(const DueDelivery& d, int64_t http_status, int64_t now_ms) = 0;
  // An attempt failed: retried at `next_attempt_ms`, or failed for good when nullopt. The
  // endpoint's failure streak starts now unless it had one; one older than `disable_after_ms`
  // disables it, saying why.
  virtual void Failed(const DueDelivery& d, std::optional<int64_t> http_status,
                      const std::string& error, std::optional<int64_t> next_attempt_ms,
                      int64_t now_ms, int64_t disable_after_ms) = 0;
  // Ends the leases of deliveries claimed and never attempted (a sender stopping), so another
  // instance takes them at once rather than when the lease runs out.
  virtual void Release(const std::vector<std::string>& delivery_ids) = 0;
  virtual WebhookQueue Queue(int64_t now_ms) = 0;
};

}  // namespace oakgate::store
