#pragma once
// People deciding approvals (CONTRACT §10): every member of the organization may see them;
// owners and admins approve or deny, once (a decided, used or expired one answers 409).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/manage/domain_error.hpp"
#include "gateway/manage/principal.hpp"
#include "gateway/store/approval_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::manage {

inline constexpr size_t kMaxApprovalComment = 1000;

struct ApprovalFilter {
  std::optional<std::string> status;  // pending, approved, denied, expired or used
  std::optional<std::string> agent_id;
  std::optional<std::string> cursor;  // a next_cursor answered before
  int64_t limit = 50;                 // 1..200
  bool pending_first = false;         // the dashboard's inbox
};

struct ApprovalPage {
  std::vector<store::Approval> data;
  std::optional<std::string> next_cursor;
};

class ApprovalService {
 public:
  ApprovalService(store::ApprovalStore& approvals, const util::Clock& clock)
      : approvals_(approvals), clock_(clock) {}
  Outcome<ApprovalPage> List(const Principal& who, const ApprovalFilter& filter);
  Outcome<store::Approval> Get(const Principal& who, std::string_view id);
  Outcome<store::Approval> Decide(const Principal& who, std::string_view id, bool approve,
                                  std::optional<std::string> comment);

 private:
  store::ApprovalStore& approvals_;
  const util::Clock& clock_;
};

}  // namespace oakgate::manage
