#include "gateway/handlers/oauth/oauth_http.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "gateway/handlers/json_body.hpp"
#include "gateway/http/form.hpp"
#include "gateway/oauth/errors.hpp"

namespace oakgate::handlers::oauth {
namespace {

using oakgate::oauth::ErrorCode;
using oakgate::oauth::MakeError;
using oakgate::oauth::OAuthError;

constexpr size_t kMaxValue = 4096;

OAuthError FieldError(std::string description, std::string field) {
  OAuthError e = MakeError(ErrorCode::kInvalidRequest, std::move(description));
  e.field = std::move(field);
  return e;
}

util::Result<http::Params, OAuthError> ParseJson(const std::string& body) {
  JsonBody parsed = ParseJsonBody(body);
  if (parsed.error) {
    return util::Fail(
        MakeError(ErrorCode::kInvalidRequest, "the body must be a JSON object", *parsed.error));
  }
  if (const auto& repeated = parsed.repeated_key) {
    return util::Fail(FieldError(*repeated + " is repeated", *repeated));
  }
  http::Params params;
  for (const auto& [name, value] : parsed.doc.items()) {
    // RFC 8707 §2: several resources; in JSON, an array of strings.
    if (name == "resource" && value.is_array() && value.size() <= 16) {
      for (const auto& v : value) {
        if (!v.is_string()) return util::Fail(FieldError(name + " must hold strings", name));
        params.Add(name, v.get<std::string>());
      }
      continue;
    }
    if (!value.is_string()) return util::Fail(FieldError(name + " must be a string", name));
    params.Add(name, value.get<std::string>());
  }
  return params;
}

}  // namespace

util::Result<http::Params, OAuthError> ParseOAuthBody(const http::Request& request) {
  std::string type = request.MediaType();
  util::Result<http::Params, OAuthError> parsed = http::Params{};
  if (type == "application/x-www-form-urlencoded") {
    http::FormError error;
    auto form = http::ParseUrlEncoded(request.body, &error);
    if (!form) return util::Fail(MakeError(ErrorCode::kInvalidRequest, error.description));
    parsed = std::move(*form);
  } else if (type == "application/json") {
    parsed = ParseJson(request.body);
    if (!parsed) return parsed;
  } else {
    return util::Fail(MakeError(ErrorCode::kInvalidRequest,
                                "the body must be application/x-www-form-urlencoded or JSON"));
  }
  // RFC 6749 §3.2: request parameters MUST NOT be included more than once; RFC 8707 §2
  // allows several `resource`.
  std::set<std::string_view> seen;
  for (const auto& [name, value] : parsed.value().items()) {
    if (name != "resource" && !seen.insert(name).second) {
      return util::Fail(FieldError(name + " is repeated", name));
    }
  }
  for (const auto& [name, value] : parsed.value().items()) {
    if (name.size() > 128 || value.size() > kMaxValue) {
      return util::Fail(FieldError(name.substr(0, 128) + " is too long", name.substr(0, 128)));
    }
  }
  return parsed;
}

std::optional<std::string> Param(const http::Params& params, std::string_view name) {
  auto v = params.Get(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

oakgate::oauth::ClientCredentials CredentialsOf(const http::Request& request,
                                                const http::Params& params) {
  oakgate::oauth::ClientCredentials c;
  c.authorization_count = request.HeaderCount("authorization");
  if (auto h = request.Header("authorization")) c.authorization = std::string(*h);
  c.client_id = Param(params, "client_id");
  // A present-but-empty secret is still a secret being sent.
  c.client_secret = params.Get("client_secret");
  return c;
}

oakgate::oauth::Caller CallerOf(const http::Request& request) {
  return {request.client_address, request.request_id};
}

http::Response JsonNoStore(int status, std::string body) {
  http::Response r = http::Response::Json(status, std::move(body));
  r.Set("Cache-Control", "no-store");
  r.Set("Pragma", "no-cache");
  return r;
}

http::Response OAuthErrorResponse(const OAuthError& e) {
  nlohmann::json body = {{"error", oakgate::oauth::ErrorString(e.code)},
                         {"error_description", e.description}};
  if (!e.field.empty()) body["field"] = e.field;
  http::Response r = JsonNoStore(oakgate::oauth::ErrorStatus(e.code), body.dump());
  if (e.code == ErrorCode::kInvalidClient && e.basic_challenge) {
    r.Set("WWW-Authenticate", "Basic realm=\"oakgate\", charset=\"UTF-8\"");
  }
  if (e.retry_after > 0) r.Set("Retry-After", std::to_string(e.retry_after));
  // RFC 6750 §3: a bad bearer token (the initial access token of RFC 7591 §3).
  if (e.code == ErrorCode::kInvalidToken) {
    r.Set("WWW-Authenticate", "Bearer realm=\"oakgate\", error=\"invalid_token\"");
  }
  return r;
}

http::Response& AllowAnyOrigin(http::Response& r) {
  r.Set("Access-Control-Allow-Origin", "*");
  return r;
}

http::Response Preflight(std::string_view methods) {
  http::Response r = http::Response::Empty(204);
  r.Set("Access-Control-Allow-Origin", "*");
  r.Set("Access-Control-Allow-Methods", std::string(methods));
  r.Set("Access-Control-Allow-Headers", "Authorization, Content-Type");
  r.Set("Access-Control-Max-Age", "600");
  return r;
}

}  // namespace oakgate::handlers::oauth
