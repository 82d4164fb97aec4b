// /dashboard/approvals (CONTRACT §10, issue 23): the organization's approvals inbox, the
// pending ones first (what an `ask` rule waits on: the agent, tool, scope, its reasoning and
// context), then the recently decided. Owners and admins approve or deny with a comment;
// manage::ApprovalService checks the role and that the approval is still pending, so a member's
// forged form is refused and a decided, used or expired approval is not decided again.
#include <map>

#include "gateway/handlers/dashboard/pages.hpp"

namespace oakgate::handlers::dashboard {
namespace {

constexpr const char* kInbox = "/dashboard/approvals";
// The inbox shows this many: every pending one an organization plausibly has at once, then the
// most recent others. Older ones are in GET /api/v1/approvals and the audit trail.
constexpr int64_t kInboxSize = 100;

nlohmann::json ApprovalView(const store::Approval& a, bool may_decide,
                            const std::map<std::string, std::string>& emails) {
  bool pending = a.status == "pending";
  std::string decided_by;
  if (a.decided_by) {
    auto it = emails.find(*a.decided_by);
    decided_by = it != emails.end() ? it->second : *a.decided_by;
  }
  return {{"id", a.id},
          {"agent_id", a.agent_id},
          {"agent_name", a.agent_name.empty() ? a.agent_id : a.agent_name},
          {"tool", a.tool},
          {"scope", a.scope},
          {"reasoning", a.reasoning.value_or("")},
          {"has_reasoning", a.reasoning && !a.reasoning->empty()},
          {"context", PrettyJson(a.context_json)},
          {"has_context", a.context_json.has_value()},
          {"status", a.status},
          {"pending", pending},
          {"may_decide", pending && may_decide},
          {"created_at", Time(a.created_at)},
          {"expires_at", Time(a.expires_at)},
          {"was_decided", a.decided_at.has_value()},
          {"decided_by", decided_by},
          {"decided_at", TimeOr(a.decided_at, "")},
          {"comment", a.comment.value_or("")},
          {"typed_comment", ""}};
}

http::Response RenderInbox(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                           int status, nlohmann::json view) {
  manage::Principal who = Who(v, req);
  manage::ApprovalFilter filter;
  filter.limit = kInboxSize;
  filter.pending_first = true;
  auto page = ctx.approvals.List(who, filter);
  // Who decided, by email: the organization's members (one who left shows as its id).
  std::map<std::string, std::string> emails;
  if (auto members = ctx.orgs.Members(who, v.org.org.id)) {
    for (const auto& m : members.value()) emails[m.user_id] = m.email;
  }
  bool may_decide = v.org.role != store::Role::kMember;
  nlohmann::json pending = nlohmann::json::array(), decided = nlohmann::json::array();
  for (const auto& a : page ? page.value().data : std::vector<store::Approval>{}) {
    nlohmann::json row = ApprovalView(a, may_decide, emails);
    // A refused comment (too long) is kept in its approval's form.
    if (view.value("typed_for", "") == a.id) row["typed_comment"] = view["typed_comment"];
    (a.status == "pending" ? pending : decided).push_back(std::move(row));
  }
  view["pending"] = pending;
  view["decided"] = decided;
  view["has_pending"] = !pending.empty();
  view["has_decided"] = !decided.empty();
  view["max_comment"] = std::to_string(manage::kMaxApprovalComment);
  return Page(ctx, v, status, "Approvals", "approvals", "dashboard_approvals.html", view);
}

// Approve or deny: back to the inbox, which lists the approval as decided; a refusal, or an
// approval that is no longer pending, is the inbox again with the reason at the top.
http::Response Decide(DashboardContext& ctx, http::Request& req, bool approve) {
  auto post = RequireForm(ctx, req, kInbox);
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  std::string comment = post.value().fields.Get("comment").value_or("");
  auto decided =
      ctx.approvals.Decide(Who(v, req), req.PathParam("approval_id").value_or(""), approve,
                           comment.empty() ? std::nullopt : std::optional(comment));
  if (decided) return SeeOther(kInbox);
  if (decided.error().kind == manage::ErrorKind::kNotFound) return NotFoundPage(ctx);
  nlohmann::json view = {{"typed_for", req.PathParam("approval_id").value_or("")},
                         {"typed_comment", comment}};
  AddFormError(view, "approvals", decided.error());
  return RenderInbox(ctx, v, req, kFormInvalid, std::move(view));
}

}  // namespace

http::Response ShowApprovals(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  return RenderInbox(ctx, v.value(), req, 200, nlohmann::json::object());
}

http::Response ApproveApproval(DashboardContext& ctx, http::Request& req) {
  return Decide(ctx, req, true);
}

http::Response DenyApproval(DashboardContext& ctx, http::Request& req) {
  return Decide(ctx, req, false);
}

}  // namespace oakgate::handlers::dashboard
