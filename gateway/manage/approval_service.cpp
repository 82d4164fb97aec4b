#include "gateway/manage/approval_service.hpp"

#include <nlohmann/json.hpp>

#include "gateway/manage/fields.hpp"

namespace oakgate::manage {
namespace {

constexpr const char* kNoApproval = "no such approval";

bool IsStatus(std::string_view s) {
  return s == "pending" || s == "approved" || s == "denied" || s == "expired" || s == "used";
}

// A cursor is "<created_at seconds>:<id>", as next_cursor gave it.
bool IsCursor(std::string_view c) { return IsKeysetCursor(c, 12); }

}  // namespace

Outcome<ApprovalPage> ApprovalService::List(const Principal& who, const ApprovalFilter& f) {
  if (f.status && !IsStatus(*f.status)) {
    return Invalid("status", "status must be pending, approved, denied, expired or used");
  }
  if (f.agent_id && !IsUuid(*f.agent_id)) return Invalid("agent_id", "agent_id must be a UUID");
  if (f.cursor && !IsCursor(*f.cursor)) return Invalid("cursor", "cursor is not one this API gave");
  if (f.limit < 1 || f.limit > 200) return Invalid("limit", "limit must be 1 to 200");
  store::ApprovalQuery q;
  q.org_id = who.org_id;
  q.status = f.status;
  q.agent_id = f.agent_id;
  q.cursor = f.cursor;
  q.limit = f.limit + 1;  // one more tells whether a next page exists
  q.pending_first = f.pending_first;
  ApprovalPage page;
  page.data = approvals_.List(q, clock_.NowSeconds());
  if (static_cast<int64_t>(page.data.size()) > f.limit) {
    page.data.resize(static_cast<size_t>(f.limit));
    const auto& last = page.data.back();
    // The inbox's pending-first order is one page only: no cursor through it.
    if (!f.pending_first) page.next_cursor = std::to_string(last.created_at) + ":" + last.id;
  }
  return page;
}

Outcome<store::Approval> ApprovalService::Get(const Principal& who, std::string_view id) {
  auto found = IsUuid(id) ? approvals_.Find(who.org_id, id, clock_.NowSeconds()) : std::nullopt;
  if (!found) return NotFound(kNoApproval);
  return *found;
}

Outcome<store::Approval> ApprovalService::Decide(const Principal& who, std::string_view id,
                                                 bool approve, std::optional<std::string> comment) {
  if (!IsUuid(id)) return NotFound(kNoApproval);
  if (!who.CanManage()) return Forbidden("only owners and admins decide approvals");
  if (comment) {
    if (comment->size() > kMaxApprovalComment || comment->find('\0') != std::string::npos) {
      return Invalid("comment", "comment must be text of at most 1000 bytes");
    }
    if (comment->empty()) comment.reset();
  }
  nlohmann::json details = {{"approved", approve}};
  if (comment) details["comment"] = *comment;
  store::Approval decided;
  auto outcome = approvals_.Decide(
      who.org_id, id, approve, who.user_id, comment,
      who.Audit(approve ? "approval.approved" : "approval.denied", "approval:" + std::string(id),
                details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)),
      clock_.NowSeconds(), decided);
  switch (outcome) {
    case store::ApprovalStore::DecideOutcome::kOk:
      return decided;
    case store::ApprovalStore::DecideOutcome::kNotPending:
      return Conflict("the approval is no longer pending: it was decided, used or has expired");
    case store::ApprovalStore::DecideOutcome::kNotFound:
      break;
  }
  return NotFound(kNoApproval);
}

}  // namespace oakgate::manage
