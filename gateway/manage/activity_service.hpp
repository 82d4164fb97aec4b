#pragma once
// What a principal's agents did and what was changed on their behalf: the decision log
// (CONTRACT §6) and the audit events (issue 6), always the principal's own, newest first, a
// page at a time. Needs the scope `agents`.
#include <optional>
#include <string>
#include <vector>

#include "gateway/manage/domain_error.hpp"
#include "gateway/manage/principal.hpp"
#include "gateway/store/audit_store.hpp"
#include "gateway/store/decision_store.hpp"

namespace oakgate::manage {

template <typename Row>
struct Page {
  std::vector<Row> rows;
  std::optional<int64_t> next_cursor;  // the `before` of the next page; absent on the last
};

class ActivityService {
 public:
  ActivityService(store::DecisionStore& decisions, store::AuditStore& audit)
      : decisions_(decisions), audit_(audit) {}
  // `query.user_id` is replaced by the principal's: no query names another user.
  Outcome<Page<store::DecisionRecord>> Decisions(const Principal& who, store::DecisionQuery query);
  Outcome<store::DecisionRecord> Decision(const Principal& who, std::string_view decision_id);
  // Today's and this week's counts, the busiest agents, the last 24 hours.
  Outcome<store::DecisionSummary> Summary(const Principal& who);
  Outcome<Page<store::AuditRecord>> AuditEvents(const Principal& who, store::AuditQuery query);

 private:
  store::DecisionStore& decisions_;
  store::AuditStore& audit_;
};

}  // namespace oakgate::manage
