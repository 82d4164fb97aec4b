#pragma once
// What every handler of the management API (/api/v1/...) shares: bearer authentication
// with an OAuth access token (RFC 6750), JSON bodies read field by field, and JSON errors
// {"error", "error_description", "field"?} (CONTRACT §8).
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/apikey/key_service.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::handlers::api {

struct ApiContext {
  store::Database& db;
  oauth::AccessTokenVerifier& tokens;
  apikey::KeyService& keys;
};

// The scopes of CONTRACT §4 "Scopes" that belong to the gateway itself.
inline constexpr std::string_view kKeysScope = "keys";
inline constexpr std::string_view kAgentsScope = "agents";

struct Principal {
  std::string user_id;
  std::string client_id;
};

http::Response Json(int status, const nlohmann::json& body);
// The same for a body that is JSON text already (written by util::JsonObject).
http::Response JsonText(int status, std::string body);
http::Response Error(int status, std::string_view code, std::string_view description,
                     std::string_view field = "");
http::Response BadField(std::string_view field, std::string_view description);
http::Response NotFound(std::string_view description);
http::Response Conflict(std::string_view description, std::string_view field = "");

// The owner behind `Authorization: Bearer oat_...` when the token is live and carries
// `scope`; otherwise the 401 invalid_token or 403 insufficient_scope answer to send.
util::Result<Principal, http::Response> Authenticate(ApiContext& ctx, const http::Request& req,
                                                     std::string_view scope);

// The body as a JSON object; an empty body counts as {} when `empty_is_object`.
util::Result<nlohmann::json, http::Response> ParseObject(const http::Request& req,
                                                         bool empty_is_object = false);
// 400 naming the first field not in `allowed`.
std::optional<http::Response> RejectUnknown(const nlohmann::json& object,
                                            std::initializer_list<std::string_view> allowed);

// Typed field readers: absent leaves `out` untouched and returns nullopt; a wrong type (or
// null) returns the 400 answer naming the field.
std::optional<http::Response> ReadString(const nlohmann::json& o, const char* name,
                                         std::optional<std::string>& out);
std::optional<http::Response> ReadInt(const nlohmann::json& o, const char* name, int64_t min,
                                      int64_t max, std::optional<int64_t>& out);
std::optional<http::Response> ReadBool(const nlohmann::json& o, const char* name,
                                       std::optional<bool>& out);
std::optional<http::Response> ReadStringArray(const nlohmann::json& o, const char* name,
                                              std::optional<std::vector<std::string>>& out);

// Canonical lower-case 8-4-4-4-12 hex; anything else cannot be one of our ids.
bool IsUuid(std::string_view s);
// Printable text without control characters, at most `max` bytes.
bool IsPlainText(std::string_view s, size_t max);

// The caller's agent named by the {agent_id} path parameter, or the 404 to send.
util::Result<store::Agent, http::Response> OwnedAgent(ApiContext& ctx, const Principal& who,
                                                      const http::Request& req);

store::AuditEvent Audit(const Principal& who, const http::Request& req, std::string type,
                        std::string subject, nlohmann::json details = nlohmann::json::object());

nlohmann::json TimeOrNull(const std::optional<int64_t>& unix_seconds);

}  // namespace oakgate::handlers::api
