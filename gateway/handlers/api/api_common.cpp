#include "gateway/handlers/api/api_common.hpp"

#include <algorithm>

#include "gateway/handlers/json_body.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::api {
namespace {

http::Response InvalidToken(std::string_view description) {
  http::Response r = Error(401, "invalid_token", description);
  // RFC 6750 §3: the challenge names the error.
  r.Set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  return r;
}

}  // namespace

http::Response Json(int status, const nlohmann::json& body) {
  return JsonText(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

http::Response JsonText(int status, std::string body) {
  http::Response r = http::Response::Json(status, std::move(body));
  r.Set("Cache-Control", "no-store");
  return r;
}

http::Response Error(int status, std::string_view code, std::string_view description,
                     std::string_view field) {
  nlohmann::json body = {{"error", code}, {"error_description", description}};
  if (!field.empty()) body["field"] = field;
  return Json(status, body);
}

http::Response BadField(std::string_view field, std::string_view description) {
  return Error(400, "invalid_request", description, field);
}

http::Response NotFound(std::string_view description) {
  return Error(404, "not_found", description);
}

http::Response Conflict(std::string_view description, std::string_view field) {
  return Error(409, "conflict", description, field);
}

util::Result<Principal, http::Response> Authenticate(ApiContext& ctx, const http::Request& req,
                                                     std::string_view scope) {
  auto header = req.Header("authorization");
  if (!header || req.HeaderCount("authorization") != 1) {
    return util::Fail(InvalidToken("an OAuth access token is required (Authorization: Bearer)"));
  }
  std::string_view v = *header;
  // RFC 6750 §2.1: the scheme is case-insensitive.
  if (v.size() < 7 || !util::IEquals(v.substr(0, 7), "bearer ")) {
    return util::Fail(InvalidToken("expected Authorization: Bearer <access token>"));
  }
  auto token = ctx.tokens.Verify(util::Trim(v.substr(7)));
  if (!token) return util::Fail(InvalidToken("the access token is invalid, expired or revoked"));
  if (!token->user_id) {
    // A client-credentials token acts for no user, so it owns no keys or agents.
    return util::Fail(InvalidToken("the access token does not act for a user"));
  }
  if (std::find(token->scopes.begin(), token->scopes.end(), scope) == token->scopes.end()) {
    http::Response r = Error(403, "insufficient_scope",
                             "the access token lacks the scope \"" + std::string(scope) + "\"");
    r.Set("WWW-Authenticate",
          "Bearer error=\"insufficient_scope\", scope=\"" + std::string(scope) + "\"");
    return util::Fail(std::move(r));
  }
  return Principal{*token->user_id, token->client_id};
}

util::Result<nlohmann::json, http::Response> ParseObject(const http::Request& req,
                                                         bool empty_is_object) {
  if (empty_is_object && util::Trim(req.body).empty()) return nlohmann::json::object();
  std::string media = req.MediaType();
  if (!media.empty() && media != "application/json") {
    return util::Fail(Error(415, "invalid_request", "the body must be application/json"));
  }
  JsonBody body = ParseJsonBody(req.body);
  if (body.error) return util::Fail(Error(400, "invalid_request", *body.error));
  // Two members with one name would let a proxy and the gateway read different values.
  if (body.repeated_key)
    return util::Fail(BadField(*body.repeated_key, *body.repeated_key + " is repeated"));
  return std::move(body.doc);
}

std::optional<http::Response> RejectUnknown(const nlohmann::json& object,
                                            std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return BadField(name, "unknown field \"" + name + "\"");
    }
  }
  return std::nullopt;
}

std::optional<http::Response> ReadString(const nlohmann::json& o, const char* name,
                                         std::optional<std::string>& out) {
  auto it = o.find(name);
  if (it == o.end()) return std::nullopt;
  if (!it->is_string()) return BadField(name, std::string(name) + " must be a string");
  out = it->get<std::string>();
  return std::nullopt;
}

std::optional<http::Response> ReadInt(const nlohmann::json& o, const char* name, int64_t min,
                                      int64_t max, std::optional<int64_t>& out) {
  auto it = o.find(name);
  if (it == o.end()) return std::nullopt;
  if (!it->is_number_integer()) return BadField(name, std::string(name) + " must be an integer");
  // Unsigned values beyond int64 would wrap; compare before converting.
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(max)) {
    return BadField(name, std::string(name) + " is out of range");
  }
  int64_t v = it->get<int64_t>();
  if (v < min || v > max) {
    return BadField(name, std::string(name) + " must be between " + std::to_string(min) + " and " +
                              std::to_string(max));
  }
  out = v;
  return std::nullopt;
}

std::optional<http::Response> ReadBool(const nlohmann::json& o, const char* name,
                                       std::optional<bool>& out) {
  auto it = o.find(name);
  if (it == o.end()) return std::nullopt;
  if (!it->is_boolean()) return BadField(name, std::string(name) + " must be a boolean");
  out = it->get<bool>();
  return std::nullopt;
}

std::optional<http::Response> ReadStringArray(const nlohmann::json& o, const char* name,
                                              std::optional<std::vector<std::string>>& out) {
  auto it = o.find(name);
  if (it == o.end()) return std::nullopt;
  if (!it->is_array()) return BadField(name, std::string(name) + " must be an array of strings");
  std::vector<std::string> items;
  for (const auto& v : *it) {
    if (!v.is_string()) return BadField(name, std::string(name) + " must be an array of strings");
    items.push_back(v.get<std::string>());
  }
  out = std::move(items);
  return std::nullopt;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool IsPlainText(std::string_view s, size_t max) {
  if (s.size() > max || !util::IsValidUtf8(s)) return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

util::Result<store::Agent, http::Response> OwnedAgent(ApiContext& ctx, const Principal& who,
                                                      const http::Request& req) {
  std::string id = req.PathParam("agent_id").value_or("");
  // Another user's agent and one that does not exist look the same: 404.
  if (!IsUuid(id)) return util::Fail(NotFound("no such agent"));
  auto agent = ctx.db.Agents().Find(who.user_id, id);
  if (!agent) return util::Fail(NotFound("no such agent"));
  return *agent;
}

store::AuditEvent Audit(const Principal& who, const http::Request& req, std::string type,
                        std::string subject, nlohmann::json details) {
  store::AuditEvent e;
  e.type = std::move(type);
  e.user_id = who.user_id;
  e.actor = "user:" + who.user_id + " client:" + who.client_id;
  e.subject = std::move(subject);
  e.client_address = req.client_address;
  e.request_id = req.request_id;
  e.details_json = details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return e;
}

nlohmann::json TimeOrNull(const std::optional<int64_t>& t) {
  if (!t) return nullptr;
  return util::FormatRfc3339(*t);
}

}  // namespace oakgate::handlers::api
