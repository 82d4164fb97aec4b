#include "gateway/handlers/validate/validate_body.hpp"

#include <nlohmann/json.hpp>

#include "gateway/handlers/api/api_common.hpp"
#include "gateway/http/unavailable.hpp"
#include "gateway/manage/fields.hpp"
#include "gateway/policy/rules.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::validate {
namespace {

using api::BadField;

// PostgreSQL text and jsonb cannot hold NUL, so it is refused up front instead of failing a
// whole batch of other requests' decisions later.
bool HasNul(const nlohmann::json& j) {
  if (j.is_string()) return j.get_ref<const std::string&>().find('\0') != std::string::npos;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k.find('\0') != std::string::npos || HasNul(v)) return true;
    }
  }
  if (j.is_array()) {
    for (const auto& v : j) {
      if (HasNul(v)) return true;
    }
  }
  return false;
}

}  // namespace

std::optional<std::string_view> PresentedApiKey(const http::Request& req) {
  if (req.HeaderCount("x-api-key") > 0) {
    if (req.HeaderCount("x-api-key") != 1) return std::nullopt;
    return util::Trim(*req.Header("x-api-key"));
  }
  auto auth = req.Header("authorization");
  if (!auth || req.HeaderCount("authorization") != 1) return std::nullopt;
  std::string_view v = *auth;
  if (v.size() < 7 || !util::IEquals(v.substr(0, 7), "bearer ")) return std::nullopt;
  return util::Trim(v.substr(7));
}

http::Response KeyErrorAnswer(apikey::KeyError error) {
  http::Response r =
      api::Error(401, apikey::KeyErrorCode(error), apikey::KeyErrorDescription(error));
  r.Set("WWW-Authenticate", "Bearer realm=\"oakgate\"");
  return r;
}

http::Response UnavailableAnswer(std::string_view description) {
  http::Response r = api::Error(503, http::RuleFor(http::Unavailable::kDatabase).code, description);
  http::MarkUnavailable(r, http::Unavailable::kDatabase);
  return r;
}

std::optional<http::Response> ParseValidateBody(const http::Request& req, ValidateBody& out) {
  auto parsed = api::ParseObject(req);
  if (!parsed) return parsed.error();
  const nlohmann::json& body = parsed.value();
  if (auto e = api::RejectUnknown(body, {"tool", "scope", "reasoning", "context", "approval_id"})) {
    return e;
  }
  for (const char* name : {"tool", "scope"}) {
    auto it = body.find(name);
    if (it == body.end()) return BadField(name, std::string(name) + " is required");
    if (!it->is_string() || !policy::IsValidName(it->get_ref<const std::string&>())) {
      return BadField(name, std::string(name) + " must be 1 to 200 characters of [A-Za-z0-9._-]");
    }
    (std::string_view(name) == "tool" ? out.tool : out.scope) = it->get<std::string>();
  }
  if (auto it = body.find("reasoning"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) return BadField("reasoning", "reasoning must be a string");
    const auto& text = it->get_ref<const std::string&>();
    if (text.size() > kMaxReasoning || text.find('\0') != std::string::npos) {
      return BadField("reasoning", "reasoning must be text of at most 8 KiB");
    }
    out.reasoning = text;
  }
  if (auto it = body.find("context"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) return BadField("context", "context must be an object");
    std::string dumped = it->dump();
    if (dumped.size() > kMaxContext || HasNul(*it)) {
      return BadField("context", "context must be at most 16 KiB of JSON");
    }
    out.context_json = std::move(dumped);
    out.context = *it;
  }
  if (auto it = body.find("approval_id"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || !manage::IsUuid(it->get_ref<const std::string&>())) {
      return BadField("approval_id", "approval_id must be the id of an approval");
    }
    out.approval_id = util::ToLower(it->get<std::string>());
  }
  return std::nullopt;
}

}  // namespace oakgate::handlers::validate
