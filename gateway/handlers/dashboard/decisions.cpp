// /dashboard/decisions: the decision log with the API's filters (agent, tool, scope, outcome,
// time range) and keyset paging; /dashboard/decisions/{id}: one decision with its context.
#include "gateway/handlers/api/decisions.hpp"

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
  manage::Principal who = Who(v.value(), req);
  store::DecisionQuery q;
  q.limit = kPage;
  nlohmann::json view = nlohmann::json::object();
  std::optional<manage::DomainError> error;
  nlohmann::json next_query = nlohmann::json::object();
  for (const auto& [name, value] : params->items()) {
    view["f_" + name] = value;
    if (value.empty() || name == "cursor") continue;
    next_query[name] = value;
    if (name == "agent_id") {
      // Another user's agent id simply matches none of this user's decisions.
      if (!manage::IsUuid(value)) error = manage::Invalid(name, "choose one of your agents").error;
      q.agent_id = value;
    } else if (name == "tool" || name == "scope") {
      if (!policy::IsValidName(value)) {
        error = manage::Invalid(name, name + " must match [A-Za-z0-9._-]{1,200}").error;
      }
      (name == "tool" ? q.tool : q.scope) = value;
    } else if (name == "outcome") {
      if (value != "allowed" && value != "denied") {
        error = manage::Invalid(name, "outcome must be allowed or denied").error;
      }
      q.allowed = value == "allowed";
    } else if (name == "from" || name == "to") {
      auto t = ParseTime(value);
      if (!t) {
        error =
            manage::Invalid(name, name + " must be an RFC 3339 time (2026-12-01T10:00:00Z)").error;
      }
      (name == "from" ? q.from : q.to) = t;
    } else {
      error = manage::Invalid("", "unknown parameter \"" + name + "\"").error;
    }
  }
  if (auto cursor = params->Get("cursor"); cursor && !cursor->empty()) {
    auto n = util::ParseInt(*cursor);
    if (!n || *n < 1) {
      error = manage::Invalid("cursor", "this page link is not one this server gave").error;
    }
    q.before = n;
  }
  nlohmann::json agents = nlohmann::json::array();
  std::map<std::string, std::string> names;
  if (auto list = ctx.agents.List(who)) {
    for (const auto& a : list.value()) {
      names[a.id] = a.name;
      agents.push_back({{"id", a.id}, {"name", a.name}, {"selected", q.agent_id == a.id}});
    }
  }
  view["agents"] = agents;
  view["outcome_allowed"] = params->Get("outcome") == "allowed";
  view["outcome_denied"] = params->Get("outcome") == "denied";
  if (error) {
    AddFormError(view, "filter", *error);
    return Page(ctx, v.value(), 400, "Decisions", "decisions", "dashboard_decisions.html", view);
  }
  auto page = ctx.activity.Decisions(who, q);
  if (!page) {
    AddFormError(view, "filter", page.error());
    return Page(ctx, v.value(), 400, "Decisions", "decisions", "dashboard_decisions.html", view);
  }
  nlohmann::json data = nlohmann::json::array();
  for (const auto& d : page.value().rows) {
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
  if (auto cursor = page.value().next_cursor) {
    std::string next = "?";
    for (const auto& [name, value] : next_query.items()) {
      next += util::PercentEncode(name) + "=" + util::PercentEncode(value.get<std::string>()) + "&";
    }
    view["next_page"] = next + "cursor=" + std::to_string(*cursor);
  }
  if (q.before) view["first_page"] = true;
  return Page(ctx, v.value(), 200, "Decisions", "decisions", "dashboard_decisions.html", view);
}

http::Response ShowDecision(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  std::string id = req.PathParam("decision_id").value_or("");
  manage::Principal who = Who(v.value(), req);
  auto found = ctx.activity.Decision(who, id);
  if (!found) return NotFoundPage(ctx);
  const store::DecisionRecord* d = &found.value();
  auto agent = ctx.agents.Get(who, d->agent_id);
  nlohmann::json view = {
      {"id", d->id},
      {"created_at", Time(d->created_at)},
      {"agent_id", d->agent_id},
      {"agent", agent ? agent.value()->name : d->agent_id},
      {"key_id", d->key_id},
      {"tool", d->tool},
      {"scope", d->scope},
      {"allowed", d->allowed},
      {"outcome", Outcome(*d)},
      {"rule_id", d->rule_id ? nlohmann::json(*d->rule_id) : nlohmann::json(nullptr)},
      {"reasoning", d->reasoning.value_or("")},
      {"reasoning_required", d->reasoning_required ? "yes" : "no"},
      {"reasoning_provided", d->reasoning_provided ? "yes" : "no"},
      {"context", PrettyJson(d->context_json)},
      {"request_id", d->request_id}};
  return Page(ctx, v.value(), 200, "Decision", "decisions", "dashboard_decision.html", view);
}

}  // namespace oakgate::handlers::dashboard
