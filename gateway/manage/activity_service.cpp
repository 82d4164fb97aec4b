#include "gateway/manage/activity_service.hpp"

#include "gateway/manage/agent_service.hpp"
#include "gateway/manage/fields.hpp"

namespace oakgate::manage {
namespace {

// One row more than the page tells whether another page follows; the cursor is the key of
// the page's last row.
template <typename Row, typename Query, typename List, typename Key>
Page<Row> Paged(Query query, List list, Key key) {
  int64_t page = query.limit;
  query.limit = page + 1;
  Page<Row> out;
  out.rows = list(query);
  if (static_cast<int64_t>(out.rows.size()) > page) {
    out.rows.resize(page);
    out.next_cursor = key(out.rows.back());
  }
  return out;
}

}  // namespace

Outcome<Page<store::DecisionRecord>> ActivityService::Decisions(const Principal& who,
                                                                store::DecisionQuery query) {
  if (auto e = MissingScope(who, kAgentsScope)) return util::Fail(*e);
  if (query.agent_id && !IsUuid(*query.agent_id)) {
    return Invalid("agent_id", "agent_id must be an agent id");
  }
  query.org_id = who.org_id;
  return Paged<store::DecisionRecord>(
      query, [this](const store::DecisionQuery& q) { return decisions_.List(q); },
      [](const store::DecisionRecord& d) { return d.seq; });
}

Outcome<store::DecisionRecord> ActivityService::Decision(const Principal& who,
                                                         std::string_view decision_id) {
  if (auto e = MissingScope(who, kAgentsScope)) return util::Fail(*e);
  auto d = IsUuid(decision_id) ? decisions_.Find(who.org_id, decision_id) : std::nullopt;
  if (!d) return NotFound("no such decision");
  return *d;
}

Outcome<store::DecisionSummary> ActivityService::Summary(const Principal& who) {
  if (auto e = MissingScope(who, kAgentsScope)) return util::Fail(*e);
  return decisions_.Summarize(who.org_id);
}

Outcome<Page<store::AuditRecord>> ActivityService::AuditEvents(const Principal& who,
                                                               store::AuditQuery query) {
  if (auto e = MissingScope(who, kAgentsScope)) return util::Fail(*e);
  query.org_id = who.org_id;
  return Paged<store::AuditRecord>(
      query, [this](const store::AuditQuery& q) { return audit_.List(q); },
      [](const store::AuditRecord& a) { return a.id; });
}

}  // namespace oakgate::manage
