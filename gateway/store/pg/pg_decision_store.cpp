#include <nlohmann/json.hpp>

#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/util/json_writer.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::store::pg {
namespace {

DecisionRecord ReadDecision(const pqxx::row& row) {
  DecisionRecord d;
  d.id = row["id"].as<std::string>();
  d.seq = row["seq"].as<int64_t>();
  d.agent_id = row["agent_id"].as<std::string>();
  d.org_id = row["org_id"].as<std::string>("");
  d.key_id = row["key_id"].as<std::string>("");
  d.tool = row["tool"].as<std::string>();
  d.scope = row["scope"].as<std::string>();
  d.allowed = row["allowed"].as<bool>();
  d.reason = OptionalText(row["reason"]);
  d.rule_id = OptionalText(row["rule_id"]);
  d.reasoning = OptionalText(row["reasoning"]);
  d.reasoning_required = row["reasoning_required"].as<bool>();
  d.reasoning_provided = row["reasoning_provided"].as<bool>();
  d.context_json = OptionalText(row["context"]);
  d.request_id = row["request_id"].as<std::string>("");
  d.approval_id = OptionalText(row["approval_id"]);
  d.created_at = row["created"].as<int64_t>();
  return d;
}

}  // namespace

// Written by hand rather than through a JSON tree: this runs for every allowed validation.
// context is already JSON text, made by the body reader's serializer, and goes in as it is;
// a field left out reads as NULL.
std::string DecisionBatchJson(const std::vector<DecisionRecord>& batch) {
  std::string out = "[";
  for (const auto& d : batch) {
    if (out.size() > 1) out += ',';
    util::JsonObject o(out);
    o.Add("id", d.id)
        .Add("agent_id", d.agent_id)
        .Add("key_id", d.key_id)
        .Add("tool", d.tool)
        .Add("scope", d.scope)
        .Add("allowed", d.allowed)
        .AddIfSet("reason", d.reason)
        .AddIfSet("rule_id", d.rule_id)
        .AddIfSet("reasoning", d.reasoning)
        .Add("reasoning_required", d.reasoning_required)
        .Add("reasoning_provided", d.reasoning_provided);
    if (d.context_json) o.AddRaw("context", *d.context_json);
    o.AddIfSet("approval_id", d.approval_id).Add("request_id", d.request_id).Close();
  }
  out += ']';
  return out;
}

std::vector<std::string> PgDecisionStore::InsertBatch(const std::vector<DecisionRecord>& batch) {
  // The batch travels as one JSON parameter: one statement, one round trip where BEGIN,
  // INSERT and COMMIT took three, and no quoting of user text into SQL. A connection lost
  // while it ran leaves the commit in doubt, which the writer resolves by looking the ids up.
  return WriteBatch(
      db_, sql::kDecisionInsertBatch,
      [](const pqxx::row& row) { return row["id"].as<std::string>(); }, DecisionBatchJson(batch));
}

std::vector<std::string> PgDecisionStore::FindExisting(const std::vector<std::string>& ids) {
  return QueryAll(
      db_, sql::kDecisionExisting, [](const pqxx::row& row) { return row["id"].as<std::string>(); },
      util::JoinList(ids));
}

void PgDecisionStore::AddRefusals(const std::vector<RefusalCount>& counts) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : counts) {
    rows.push_back({{"agent_id", c.agent_id},
                    {"minute", c.minute},
                    {"rate_limited", c.rate_limited},
                    {"quota_exceeded", c.quota_exceeded}});
  }
  // One statement, atomic on its own.
  Execute(db_, sql::kRefusalsAdd, rows.dump());
}

std::vector<DecisionRecord> PgDecisionStore::List(const DecisionQuery& q) {
  auto text = [](const std::optional<int64_t>& v) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    return std::to_string(*v);
  };
  std::optional<std::string> allowed;
  if (q.allowed) allowed = *q.allowed ? "true" : "false";
  auto from = text(q.from), to = text(q.to), before = text(q.before);
  return QueryAll(db_, sql::kDecisionList, ReadDecision, q.org_id, OrNull(q.agent_id),
                  OrNull(q.tool), OrNull(q.scope), OrNull(allowed), OrNull(from), OrNull(to),
                  OrNull(before), q.limit);
}

std::optional<DecisionRecord> PgDecisionStore::Find(std::string_view org_id,
                                                    std::string_view decision_id) {
  return QueryOne(db_, sql::kDecisionFind, ReadDecision, std::string(org_id),
                  std::string(decision_id));
}

DecisionSummary PgDecisionStore::Summarize(std::string_view org_id) {
  std::string user(org_id);
  // One snapshot for the four reads (repeatable read: under read committed each statement
  // would take its own), so the numbers agree with each other.
  using Snapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;
  return Transact<Snapshot>(db_, [&](Snapshot& tx) {
    DecisionSummary s;
    for (const auto& row : tx.exec_prepared(sql::kSummaryCounts.name, user)) {
      s.counts.push_back({row["allowed"].as<bool>(), row["reason"].as<std::string>(),
                          row["today"].as<int64_t>(), row["week"].as<int64_t>()});
    }
    auto limited = tx.exec_prepared1(sql::kSummaryRateLimited.name, user);
    s.rate_limited_today = limited[0].as<int64_t>();
    s.rate_limited_week = limited[1].as<int64_t>();
    for (const auto& row : tx.exec_prepared(sql::kSummaryBusiest.name, user)) {
      s.busiest.push_back(
          {row["id"].as<std::string>(), row["name"].as<std::string>(), row["n"].as<int64_t>()});
    }
    for (const auto& row : tx.exec_prepared(sql::kSummaryHours.name, user)) {
      s.now_hour = row["now_hour"].as<int64_t>();
      if (row["hour"].is_null()) continue;
      s.hours.push_back(
          {row["hour"].as<int64_t>(), row["allowed"].as<int64_t>(), row["denied"].as<int64_t>()});
    }
    return s;
  });
}

}  // namespace oakgate::store::pg
