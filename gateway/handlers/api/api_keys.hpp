#pragma once
// /api/v1/auth/api-keys (CONTRACT §5), with an access token carrying the scope `keys`.
#include "gateway/handlers/api/api_common.hpp"

namespace oakgate::handlers::api {

http::Response CreateApiKey(ApiContext& ctx, http::Request& req);
http::Response ListApiKeys(ApiContext& ctx, http::Request& req);
http::Response RevokeApiKey(ApiContext& ctx, http::Request& req);
http::Response RotateApiKey(ApiContext& ctx, http::Request& req);

// The key as listed (no secret).
nlohmann::json ApiKeyJson(const store::ApiKey& key);
// The answer to a creation, with the full key shown this once; `oakgate apikey create`
// prints the same object.
nlohmann::json CreatedKeyJson(const apikey::IssuedKey& issued);

// The API's validation of a key creation body {"name", "agent_id"?, "scopes"?, "expires_in"?},
// shared with the dashboard: nullopt when well-formed (and `issue` filled), else the 400.
std::optional<http::Response> ReadKeyFields(const nlohmann::json& o, apikey::IssueRequest& issue);
// A rotation's grace period (0 to 30 days) from text; nullopt when out of range.
std::optional<int64_t> ParseGraceSeconds(std::string_view text);
inline constexpr int64_t kMaxKeyGraceSeconds = 30LL * 24 * 3600;

}  // namespace oakgate::handlers::api
