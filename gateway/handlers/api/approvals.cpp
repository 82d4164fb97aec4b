#include "gateway/handlers/api/approvals.hpp"

#include "gateway/http/form.hpp"

namespace oakgate::handlers::api {
namespace {

nlohmann::json TextOrNull(const std::optional<std::string>& s) {
  return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}

std::string ApprovalId(const http::Request& req) {
  return req.PathParam("approval_id").value_or("");
}

http::Response Decide(ApiContext& ctx, const Principal& who, http::Request& req, bool approve) {
  auto body = ParseObject(req, /*empty_is_object=*/true);
  if (!body) return body.error();
  std::optional<std::string> comment;
  auto read = Fields(body.value(), {"comment"}).String("comment", comment).Into(true);
  if (!read) return Render(read.error());
  return Answer(ctx.approvals.Decide(who, ApprovalId(req), approve, std::move(comment)), 200,
                ApprovalJson);
}

}  // namespace

nlohmann::json ApprovalJson(const store::Approval& a) {
  nlohmann::json context = nullptr;
  if (a.context_json) context = nlohmann::json::parse(*a.context_json, nullptr, false);
  if (context.is_discarded()) context = nullptr;
  return {{"id", a.id},
          {"org_id", a.org_id},
          {"agent_id", a.agent_id},
          {"agent_name", a.agent_name},
          {"rule_id", TextOrNull(a.rule_id)},
          {"tool", a.tool},
          {"scope", a.scope},
          {"context", context},
          {"reasoning", TextOrNull(a.reasoning)},
          {"status", a.status},
          {"decided_by", TextOrNull(a.decided_by)},
          {"decided_at", TimeOrNull(a.decided_at)},
          {"comment", TextOrNull(a.comment)},
          {"expires_at", TimeOrNull(a.expires_at)},
          {"created_at", TimeOrNull(a.created_at)},
          {"decision_id", a.decision_id}};
}

http::Response ListApprovals(ApiContext& ctx, const Principal& who, http::Request& req) {
  http::FormError form_error;
  auto params = http::ParseUrlEncoded(req.raw_query, &form_error);
  if (!params) return Error(400, "invalid_request", form_error.description);
  manage::ApprovalFilter f;
  for (const auto& [name, value] : params->items()) {
    if (params->Count(name) > 1) return BadField(name, name + " is repeated");
    if (name == "status") {
      f.status = value;
    } else if (name == "agent_id") {
      f.agent_id = value;
    } else if (name == "cursor") {
      f.cursor = value;
    } else if (name == "limit") {
      if (auto bad = ReadLimit(value, f.limit)) return *bad;
    } else {
      return BadField(name, "unknown parameter \"" + name + "\"");
    }
  }
  return Answer(ctx.approvals.List(who, f), 200, [](const manage::ApprovalPage& page) {
    nlohmann::json data = nlohmann::json::array();
    for (const auto& a : page.data) data.push_back(ApprovalJson(a));
    return nlohmann::json{{"data", data}, {"next_cursor", TextOrNull(page.next_cursor)}};
  });
}

http::Response GetApproval(ApiContext& ctx, const Principal& who, http::Request& req) {
  return Answer(ctx.approvals.Get(who, ApprovalId(req)), 200, ApprovalJson);
}

http::Response ApproveApproval(ApiContext& ctx, const Principal& who, http::Request& req) {
  return Decide(ctx, who, req, true);
}

http::Response DenyApproval(ApiContext& ctx, const Principal& who, http::Request& req) {
  return Decide(ctx, who, req, false);
}

}  // namespace oakgate::handlers::api
