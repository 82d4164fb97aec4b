#pragma once
// /api/v1/auth/api-keys (CONTRACT §5), with an access token carrying the scope `keys`.
#include "gateway/handlers/api/api_common.hpp"

namespace oakgate::handlers::api {

http::Response CreateApiKey(ApiContext& ctx, http::Request& req);
http::Response ListApiKeys(ApiContext& ctx, http::Request& req);
http::Response RevokeApiKey(ApiContext& ctx, http::Request& req);
http::Response RotateApiKey(ApiContext& ctx, http::Request& req);

// The key as listed (no secret); shared with the CLI's output shape.
nlohmann::json ApiKeyJson(const store::ApiKey& key);

}  // namespace oakgate::handlers::api
