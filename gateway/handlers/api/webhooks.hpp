#pragma once
// An organization's webhook endpoints (CONTRACT §11), scope `agents`; owners and admins write,
// every member reads:
//   POST   /api/v1/webhooks  {"url", "events", "description"?}   201, with "secret" this once
//   GET    /api/v1/webhooks                                      {"data": [...]}
//   GET    /api/v1/webhooks/{webhook_id}
//   PATCH  /api/v1/webhooks/{webhook_id}  {"url"?, "events"?, "enabled"?, "description"?}
//   DELETE /api/v1/webhooks/{webhook_id}                         204
//   POST   /api/v1/webhooks/{webhook_id}/rotate-secret           200, with the new "secret"
//   GET    /api/v1/webhooks/{webhook_id}/deliveries?limit=&cursor=   newest first
//   POST   /api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry   200, pending again
#include "gateway/handlers/api/api_common.hpp"
#include "gateway/manage/webhook_service.hpp"

namespace oakgate::handlers::api {

// An endpoint as people see it (never its secret).
nlohmann::json WebhookJson(const store::WebhookEndpoint& e);
nlohmann::json DeliveryJson(const store::WebhookDelivery& d);

http::Response CreateWebhook(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response ListWebhooks(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response GetWebhook(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response PatchWebhook(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response DeleteWebhook(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response RotateWebhookSecret(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response ListWebhookDeliveries(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response RetryWebhookDelivery(ApiContext& ctx, const Principal& who, http::Request& req);

}  // namespace oakgate::handlers::api
