#include "gateway/handlers/api/api_keys.hpp"

namespace oakgate::handlers::api {
namespace {

std::string KeyIdParam(const http::Request& req) { return req.PathParam("key_id").value_or(""); }

}  // namespace

nlohmann::json CreatedKeyJson(const manage::IssuedKey& issued) {
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

http::Response CreateApiKey(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto body = ParseObject(req);
  if (!body) return body.error();
  manage::KeyInput in;
  std::optional<std::vector<std::string>> scopes;
  auto read = Fields(body.value(), {"name", "agent_id", "scopes", "expires_in"})
                  .String("name", in.name)
                  .String("agent_id", in.agent_id)
                  .Strings("scopes", scopes)
                  .Int("expires_in", in.expires_in)
                  .error();
  if (read) return Render(*read);
  in.scopes = scopes.value_or(std::vector<std::string>{});
  return Answer(ctx.keys.Issue(who, in), 201, CreatedKeyJson);
}

http::Response ListApiKeys(ApiContext& ctx, const Principal& who, http::Request&) {
  return AnswerList(ctx.keys.List(who), ApiKeyJson);
}

http::Response RevokeApiKey(ApiContext& ctx, const Principal& who, http::Request& req) {
  return NoContent(ctx.keys.Revoke(who, KeyIdParam(req)));
}

http::Response RotateApiKey(ApiContext& ctx, const Principal& who, http::Request& req) {
  std::string key_id = KeyIdParam(req);
  auto body = ParseObject(req, /*empty_is_object=*/true);
  if (!body) return body.error();
  std::optional<int64_t> grace;
  auto read = Fields(body.value(), {"grace_seconds"}).Int("grace_seconds", grace).error();
  if (read) return Render(*read);
  auto rotated = ctx.keys.Rotate(who, key_id, grace.value_or(0));
  if (!rotated) return Render(rotated.error());
  nlohmann::json out = CreatedKeyJson(rotated.value());
  out["replaces"] = key_id;
  out["old_key_expires_at"] = TimeOrNull(rotated.value().old_key_expires_at);
  return Json(201, out);
}

}  // namespace oakgate::handlers::api
