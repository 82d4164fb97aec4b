#pragma once
// What every handler of the management API (/api/v1/...) shares: bearer authentication
// with an OAuth access token (RFC 6750), done once by the route table; JSON bodies read field
// by field into a service's typed input; and JSON answers, with a service's DomainError as
// {"error", "error_description", "field"?} (CONTRACT §8).
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/manage/activity_service.hpp"
#include "gateway/manage/approval_service.hpp"
#include "gateway/manage/fields.hpp"
#include "gateway/manage/invitation_service.hpp"
#include "gateway/manage/key_service.hpp"
#include "gateway/manage/org_service.hpp"
#include "gateway/manage/rule_service.hpp"
#include "gateway/manage/tool_service.hpp"
#include "gateway/manage/usage_service.hpp"
#include "gateway/manage/webhook_service.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::handlers::api {

struct ApiContext {
  oauth::AccessTokenVerifier& tokens;
  manage::AgentService& agents;
  manage::ToolService& tools;
  manage::RuleService& rules;
  manage::KeyService& keys;
  manage::ActivityService& activity;
  manage::OrgService& orgs;
  manage::UsageService& usage;
  manage::InvitationService& invitations;
  manage::ApprovalService& approvals;
  manage::WebhookService& webhooks;
};

using manage::IsUuid;
using manage::Principal;

// A handler of the management API: called by the route table with the authenticated caller.
using ApiHandler = http::Response (*)(ApiContext&, const Principal&, http::Request&);

// The caller behind `Authorization: Bearer oat_...` when the token is live, acts for a user
// and carries `scope`, in the organization named by `OakGate-Organization` (else its personal
// one); otherwise the 401 invalid_token or 403 insufficient_scope answer, or 404 for an
// organization the caller is not a member of (CONTRACT §9).
util::Result<Principal, http::Response> Authenticate(ApiContext& ctx, const http::Request& req,
                                                     std::string_view scope);

http::Response Json(int status, const nlohmann::json& body);
// The same for a body that is JSON text already (written by util::JsonObject).
http::Response JsonText(int status, std::string body);
http::Response Error(int status, std::string_view code, std::string_view description,
                     std::string_view field = "");
http::Response BadField(std::string_view field, std::string_view description);
// A service's error as the API answers it: 400, 403, 404 or 409.
http::Response Render(const manage::DomainError& error);

// `status` with to_json(value), or the error.
template <typename T, typename ToJson>
http::Response Answer(const manage::Outcome<T>& out, int status, ToJson to_json) {
  if (!out) return Render(out.error());
  return Json(status, to_json(out.value()));
}
// {"data": [...]} of a list, or the error.
template <typename T, typename ToJson>
http::Response AnswerList(const manage::Outcome<std::vector<T>>& out, ToJson to_json) {
  if (!out) return Render(out.error());
  nlohmann::json data = nlohmann::json::array();
  for (const auto& item : out.value()) data.push_back(to_json(item));
  return Json(200, {{"data", data}});
}
// 204, or the error.
http::Response NoContent(const manage::Outcome<manage::Done>& out);

// The body as a JSON object; an empty body counts as {} when `empty_is_object`.
util::Result<nlohmann::json, http::Response> ParseObject(const http::Request& req,
                                                         bool empty_is_object = false);

// Reads the members of a JSON object into typed optionals: absent leaves them empty, an
// unknown member or a wrong type (or null) is the invalid-input error naming the field. The
// first error wins; ranges and formats are the services' to check.
class Fields {
 public:
  Fields(const nlohmann::json& object, std::initializer_list<std::string_view> allowed);
  Fields& String(const char* name, std::optional<std::string>& out);
  Fields& Int(const char* name, std::optional<int64_t>& out);
  Fields& Bool(const char* name, std::optional<bool>& out);
  Fields& Strings(const char* name, std::optional<std::vector<std::string>>& out);
  // The first error, if any.
  const std::optional<manage::DomainError>& error() const { return error_; }
  // `input` when every member read well, else the first error.
  template <typename T>
  manage::Outcome<T> Into(T input) const {
    if (error_) return util::Fail(*error_);
    return input;
  }

 private:
  const nlohmann::json* Find(const char* name) const;
  const nlohmann::json& object_;
  std::optional<manage::DomainError> error_;
};

// 400 naming the first member not in `allowed` (for bodies read without Fields).
std::optional<http::Response> RejectUnknown(const nlohmann::json& object,
                                            std::initializer_list<std::string_view> allowed);

// A page's `limit` from the query string as a number (the service checks its range), or the
// 400 naming `limit` when it is not one.
std::optional<http::Response> ReadLimit(const std::string& value, int64_t& out);

nlohmann::json TimeOrNull(const std::optional<int64_t>& unix_seconds);
// A keyset page's `next_cursor`: the key as a string, or null on the last page.
nlohmann::json CursorOrNull(const std::optional<int64_t>& cursor);

}  // namespace oakgate::handlers::api
