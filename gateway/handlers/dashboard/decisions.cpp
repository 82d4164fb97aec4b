// /dashboard/decisions: the decision log with the API's filters (agent, tool, scope, outcome,
// time range) and keyset paging; /dashboard/decisions/{id}: one decision with its context.
#include "gateway/handlers/api/decisions.hpp"

#include "gateway/handlers/api/api_common.hpp"
#include "gateway/handlers/dashboard/pages.hpp"
#include "gateway/http/form.hpp"
#include "gateway/policy/rules.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::dashboard {
namespace {

constexpr int64_t kPage = 50;

// RFC 3339 as the API takes it, or what a datetime-local field sends ("2026-12-01T10:00",
// read as UTC).
std::optional<int64_t> ParseTime(const std::string& text) {
  if (auto t = api::ParseRfc3339(text)) return t;
  if (text.size() == 16) return api::ParseRfc3339(text + ":00Z");
  return std::nullopt;
}

std::string Outcome(const store::DecisionRecord& d) {
  return d.allowed ? "allowed" : "denied: " + d.reason.value_or("");
}

}  // namespace

http::Response ShowDecisions(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  http::FormError form_error;
  auto params = http::ParseUrlEncoded(req.raw_query, &form_error);
  if (!params) return BadRequestPage(ctx, form_error.description);
  if (auto repeated = params->FirstRepeated()) {
    return BadRequestPage(ctx, "parameter repeated: " + *repeated);
  }
  store::DecisionQuery q;
  q.user_id = v.value().session.user_id;
  q.limit = kPage + 1;
  nlohmann::json view = nlohmann::json::object();
  std::optional<FieldError> error;
  nlohmann::json next_query = nlohmann::json::object();
  for (const auto& [name, value] : params->items()) {
    view["f_" + name] = value;
    if (value.empty() || name == "cursor") continue;
    next_query[name] = value;
    if (name == "agent_id") {
      // Another user's agent id simply matches none of this user's decisions.
      if (!api::IsUuid(value)) error = FieldError{name, "choose one of your agents"};
      q.agent_id = value;
    } else if (name == "tool" || name == "scope") {
      if (!policy::IsValidName(value)) {
        error = FieldError{name, name + " must match [A-Za-z0-9._-]{1,200}"};
      }
      (name == "tool" ? q.tool : q.scope) = value;
    } else if (name == "outcome") {
      if (value != "allowed" && value != "denied") {
        error = FieldError{name, "outcome must be allowed or denied"};
      }
      q.allowed = value == "allowed";
    } else if (name == "from" || name == "to") {
      auto t = ParseTime(value);
      if (!t) error = FieldError{name, name + " must be an RFC 3339 time (2026-12-01T10:00:00Z)"};
      (name == "from" ? q.from : q.to) = t;
    } else {
      error = FieldError{"", "unknown parameter \"" + name + "\""};
    }
  }
  if (auto cursor = params->Get("cursor"); cursor && !cursor->empty()) {
    auto n = util::ParseInt(*cursor);
    if (!n || *n < 1) error = FieldError{"cursor", "this page link is not one this server gave"};
    q.before = n;
  }
  nlohmann::json agents = nlohmann::json::array();
  std::map<std::string, std::string> names;
  for (const auto& a : ctx.db.Agents().List(q.user_id)) {
    names[a.id] = a.name;
    agents.push_back({{"id", a.id}, {"name", a.name}, {"selected", q.agent_id == a.id}});
  }
  view["agents"] = agents;
  view["outcome_allowed"] = params->Get("outcome") == "allowed";
  view["outcome_denied"] = params->Get("outcome") == "denied";
  if (error) {
    AddFormError(view, "filter", *error);
    return Page(ctx, v.value(), 400, "Decisions", "decisions", "dashboard_decisions.html", view);
  }
  auto rows = ctx.db.Decisions().List(q);
  nlohmann::json data = nlohmann::json::array();
  for (size_t i = 0; i < rows.size() && static_cast<int64_t>(i) < kPage; ++i) {
    const auto& d = rows[i];
    data.push_back({{"id", d.id},
                    {"created_at", Time(d.created_at)},
                    {"agent", names.count(d.agent_id) ? names[d.agent_id] : d.agent_id},
                    {"agent_id", d.agent_id},
                    {"tool", d.tool},
                    {"scope", d.scope},
                    {"allowed", d.allowed},
                    {"outcome", Outcome(d)},
                    {"reasoning", d.reasoning.value_or("")},
                    {"key_id", d.key_id}});
  }
  view["decisions"] = data;
  view["has_decisions"] = !data.empty();
  if (static_cast<int64_t>(rows.size()) > kPage) {
    std::string next = "?";
    for (const auto& [name, value] : next_query.items()) {
      next += util::PercentEncode(name) + "=" + util::PercentEncode(value.get<std::string>()) + "&";
    }
    view["next_page"] = next + "cursor=" + std::to_string(rows[kPage - 1].seq);
  }
  if (q.before) view["first_page"] = true;
  return Page(ctx, v.value(), 200, "Decisions", "decisions", "dashboard_decisions.html", view);
}

http::Response ShowDecision(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  std::string id = req.PathParam("decision_id").value_or("");
  if (!api::IsUuid(id)) return NotFoundPage(ctx);
  auto d = ctx.db.Decisions().Find(v.value().session.user_id, id);
  if (!d) return NotFoundPage(ctx);
  auto agent = ctx.db.Agents().Find(v.value().session.user_id, d->agent_id);
  std::string context;
  if (d->context_json) {
    auto j = nlohmann::json::parse(*d->context_json, nullptr, false);
    context = j.is_discarded() ? *d->context_json : j.dump(2);
  }
  nlohmann::json view = {
      {"id", d->id},
      {"created_at", Time(d->created_at)},
      {"agent_id", d->agent_id},
      {"agent", agent ? agent->name : d->agent_id},
      {"key_id", d->key_id},
      {"tool", d->tool},
      {"scope", d->scope},
      {"allowed", d->allowed},
      {"outcome", Outcome(*d)},
      {"rule_id", d->rule_id ? nlohmann::json(*d->rule_id) : nlohmann::json(nullptr)},
      {"reasoning", d->reasoning.value_or("")},
      {"reasoning_required", d->reasoning_required ? "yes" : "no"},
      {"reasoning_provided", d->reasoning_provided ? "yes" : "no"},
      {"context", context},
      {"request_id", d->request_id}};
  return Page(ctx, v.value(), 200, "Decision", "decisions", "dashboard_decision.html", view);
}

}  // namespace oakgate::handlers::dashboard
