#include "gateway/handlers/api/api_keys.hpp"

#include "gateway/apikey/key_format.hpp"
#include "gateway/policy/rules.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::api {
namespace {

constexpr int64_t kMaxLifetime = 10LL * 365 * 24 * 3600;
constexpr int64_t kMaxGrace = 30LL * 24 * 3600;

std::string KeyIdParam(const http::Request& req) { return req.PathParam("key_id").value_or(""); }

}  // namespace

std::optional<http::Response> ReadKeyFields(const nlohmann::json& o, apikey::IssueRequest& issue) {
  if (auto e = RejectUnknown(o, {"name", "agent_id", "scopes", "expires_in"})) return e;
  std::optional<std::string> name, agent_id;
  std::optional<std::vector<std::string>> scopes;
  std::optional<int64_t> expires_in;
  if (auto e = ReadString(o, "name", name)) return e;
  if (auto e = ReadString(o, "agent_id", agent_id)) return e;
  if (auto e = ReadStringArray(o, "scopes", scopes)) return e;
  if (auto e = ReadInt(o, "expires_in", 1, kMaxLifetime, expires_in)) return e;
  if (!name) return BadField("name", "name is required");
  if (name->empty() || !IsPlainText(*name, 200)) {
    return BadField("name", "name must be 1 to 200 characters of text");
  }
  if (agent_id && !IsUuid(*agent_id)) return BadField("agent_id", "agent_id must be an agent id");
  for (const auto& s : scopes.value_or(std::vector<std::string>{})) {
    if (!policy::IsValidKeyScope(s)) {
      return BadField("scopes", "each scope must be tool:scope (names or *), got \"" + s + "\"");
    }
  }
  issue.agent_id = agent_id;
  issue.name = *name;
  issue.scopes = scopes.value_or(std::vector<std::string>{});
  issue.expires_in = expires_in;
  return std::nullopt;
}

std::optional<int64_t> ParseGraceSeconds(std::string_view text) {
  auto n = util::ParseInt(text);
  if (!n || *n < 0 || *n > kMaxGrace) return std::nullopt;
  return *n;
}

nlohmann::json CreatedKeyJson(const apikey::IssuedKey& issued) {
  const store::ApiKey& k = issued.key;
  return {{"key_id", k.key_id},
          {"key", issued.plaintext.Reveal()},
          {"name", k.name},
          {"agent_id", k.agent_id},
          {"scopes", k.scopes},
          {"created_at", TimeOrNull(k.created_at)},
          {"expires_at", TimeOrNull(k.expires_at)}};
}

nlohmann::json ApiKeyJson(const store::ApiKey& k) {
  return {{"key_id", k.key_id},
          {"name", k.name},
          {"agent_id", k.agent_id},
          {"scopes", k.scopes},
          {"created_at", TimeOrNull(k.created_at)},
          {"expires_at", TimeOrNull(k.expires_at)},
          {"revoked_at", TimeOrNull(k.revoked_at)},
          {"last_used_at", TimeOrNull(k.last_used_at)},
          {"replaces", k.replaces ? nlohmann::json(*k.replaces) : nlohmann::json(nullptr)}};
}

http::Response CreateApiKey(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kKeysScope);
  if (!who) return who.error();
  auto body = ParseObject(req);
  if (!body) return body.error();
  apikey::IssueRequest issue;
  if (auto e = ReadKeyFields(body.value(), issue)) return *e;
  issue.user_id = who.value().user_id;
  issue.audit = Audit(who.value(), req, "", "");
  auto issued = ctx.keys.Issue(issue);
  if (!issued) return NotFound("no such agent");
  return Json(201, CreatedKeyJson(issued.value()));
}

http::Response ListApiKeys(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kKeysScope);
  if (!who) return who.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& k : ctx.db.ApiKeys().ListForUser(who.value().user_id)) {
    data.push_back(ApiKeyJson(k));
  }
  return Json(200, {{"data", data}});
}

http::Response RevokeApiKey(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kKeysScope);
  if (!who) return who.error();
  std::string key_id = KeyIdParam(req);
  if (!apikey::IsKeyId(key_id) ||
      !ctx.keys.Revoke(who.value().user_id, key_id, Audit(who.value(), req, "", ""))) {
    return NotFound("no such API key");
  }
  return http::Response::Empty(204);
}

http::Response RotateApiKey(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kKeysScope);
  if (!who) return who.error();
  std::string key_id = KeyIdParam(req);
  if (!apikey::IsKeyId(key_id)) return NotFound("no such API key");
  auto body = ParseObject(req, /*empty_is_object=*/true);
  if (!body) return body.error();
  if (auto e = RejectUnknown(body.value(), {"grace_seconds"})) return *e;
  std::optional<int64_t> grace;
  if (auto e = ReadInt(body.value(), "grace_seconds", 0, kMaxGrace, grace)) return *e;
  auto rotated = ctx.keys.Rotate(who.value().user_id, key_id, grace.value_or(0),
                                 Audit(who.value(), req, "", ""));
  if (!rotated) {
    if (rotated.error() == apikey::KeyServiceError::kKeyRevoked) {
      return Conflict("a revoked key cannot be rotated");
    }
    return NotFound("no such API key");
  }
  nlohmann::json out = CreatedKeyJson(rotated.value());
  out["replaces"] = key_id;
  out["old_key_expires_at"] = TimeOrNull(rotated.value().old_key_expires_at);
  return Json(201, out);
}

}  // namespace oakgate::handlers::api
