#include "gateway/handlers/api/api_common.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

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

manage::DomainError BadType(const char* name, std::string_view what) {
  return manage::Invalid(name, std::string(name) + " must be " + std::string(what)).error;
}

}  // namespace

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
  Principal who;
  who.user_id = *token->user_id;
  who.method = manage::AuthMethod::kAccessToken;
  who.client_id = token->client_id;
  who.scopes = token->scopes;
  who.client_address = req.client_address;
  who.request_id = req.request_id;
  if (!who.HasScope(scope)) {
    http::Response r = Error(403, "insufficient_scope",
                             "the access token lacks the scope \"" + std::string(scope) + "\"");
    r.Set("WWW-Authenticate",
          "Bearer error=\"insufficient_scope\", scope=\"" + std::string(scope) + "\"");
    return util::Fail(std::move(r));
  }
  // Request headers are looked up by their lower-case name.
  constexpr std::string_view kOrgHeader = "oakgate-organization";
  if (req.HeaderCount(kOrgHeader) > 1) {
    return util::Fail(Error(400, "invalid_request",
                            "send at most one " + std::string(manage::kOrganizationHeader)));
  }
  auto org = req.Header(kOrgHeader);
  auto entered = ctx.orgs.Enter(who, org ? util::Trim(*org) : std::string_view());
  if (!entered) return util::Fail(Render(entered.error()));
  return who;
}

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

http::Response Render(const manage::DomainError& e) {
  switch (e.kind) {
    case manage::ErrorKind::kInvalidInput:
      return BadField(e.field, e.message);
    case manage::ErrorKind::kNotFound:
      return Error(404, "not_found", e.message);
    case manage::ErrorKind::kForbidden:
      return Error(403, "forbidden", e.message);
    case manage::ErrorKind::kQuotaExceeded:
      return Error(403, "quota_exceeded", e.message);
    case manage::ErrorKind::kConflict:
      break;
  }
  return Error(409, "conflict", e.message, e.field);
}

http::Response NoContent(const manage::Outcome<manage::Done>& out) {
  if (!out) return Render(out.error());
  return http::Response::Empty(204);
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
  // No field of ours has an empty name, and an error cannot name it back in "field" (found
  // by the api_body fuzzer: `{"name":"k","":"k"}` was refused without naming what was wrong).
  if (body.doc.contains(""))
    return util::Fail(Error(400, "invalid_request", "a member of the body has an empty name"));
  return std::move(body.doc);
}

Fields::Fields(const nlohmann::json& object, std::initializer_list<std::string_view> allowed)
    : object_(object) {
  for (const auto& [name, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      error_ = manage::Invalid(name, "unknown field \"" + name + "\"").error;
      return;
    }
  }
}

std::optional<http::Response> RejectUnknown(const nlohmann::json& object,
                                            std::initializer_list<std::string_view> allowed) {
  if (auto e = Fields(object, allowed).error()) return Render(*e);
  return std::nullopt;
}

const nlohmann::json* Fields::Find(const char* name) const {
  if (error_) return nullptr;
  auto it = object_.find(name);
  return it == object_.end() ? nullptr : &*it;
}

Fields& Fields::String(const char* name, std::optional<std::string>& out) {
  if (const auto* v = Find(name)) {
    if (!v->is_string()) {
      error_ = BadType(name, "a string");
    } else {
      out = v->get<std::string>();
    }
  }
  return *this;
}

Fields& Fields::Int(const char* name, std::optional<int64_t>& out) {
  if (const auto* v = Find(name)) {
    if (!v->is_number_integer()) {
      error_ = BadType(name, "an integer");
    } else if (v->is_number_unsigned() &&
               v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      // Compared before converting: beyond int64 it would wrap.
      error_ = manage::Invalid(name, std::string(name) + " is out of range").error;
    } else {
      out = v->get<int64_t>();
    }
  }
  return *this;
}

Fields& Fields::Bool(const char* name, std::optional<bool>& out) {
  if (const auto* v = Find(name)) {
    if (!v->is_boolean()) {
      error_ = BadType(name, "a boolean");
    } else {
      out = v->get<bool>();
    }
  }
  return *this;
}

Fields& Fields::Strings(const char* name, std::optional<std::vector<std::string>>& out) {
  if (const auto* v = Find(name)) {
    std::vector<std::string> items;
    bool ok = v->is_array();
    for (size_t i = 0; ok && i < v->size(); ++i) {
      ok = (*v)[i].is_string();
      if (ok) items.push_back((*v)[i].get<std::string>());
    }
    if (!ok) {
      error_ = BadType(name, "an array of strings");
    } else {
      out = std::move(items);
    }
  }
  return *this;
}

std::optional<http::Response> ReadLimit(const std::string& value, int64_t& out) {
  char* end = nullptr;
  long long n = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || value.size() > 4 || *end != '\0') {
    return BadField("limit", "limit must be 1 to 200");
  }
  out = n;
  return std::nullopt;
}

nlohmann::json TimeOrNull(const std::optional<int64_t>& t) {
  if (!t) return nullptr;
  return util::FormatRfc3339(*t);
}

nlohmann::json CursorOrNull(const std::optional<int64_t>& cursor) {
  if (!cursor) return nullptr;
  return std::to_string(*cursor);
}

}  // namespace oakgate::handlers::api
