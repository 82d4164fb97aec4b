#pragma once
// /api/v1/auth/api-keys (CONTRACT §5), with an access token carrying the scope `keys`.
#include "gateway/handlers/api/api_common.hpp"

namespace oakgate::handlers::api {

http::Response CreateApiKey(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response ListApiKeys(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response RevokeApiKey(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response RotateApiKey(ApiContext& ctx, const Principal& who, http::Request& req);

// The key as listed (no secret).
nlohmann::json ApiKeyJson(const store::ApiKey& key);
// The answer to a creation, with the full key shown this once; `oakgate apikey create`
// prints the same object.
nlohmann::json CreatedKeyJson(const manage::IssuedKey& issued);

}  // namespace oakgate::handlers::api
