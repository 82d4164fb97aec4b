// /dashboard/agents: the user's agents, creation, and one agent's page (edit, disable, its
// tools, rules and keys). Fields are validated by the management API's own readers.
#include "gateway/handlers/api/agents.hpp"

#include "gateway/handlers/api/api_common.hpp"
#include "gateway/handlers/dashboard/pages.hpp"

namespace oakgate::handlers::dashboard {
namespace {

nlohmann::json AgentView(const store::Agent& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"enabled", a.enabled},
          {"rate_limit", std::to_string(a.rate_limit)},
          {"burst", std::to_string(a.burst)},
          {"created_at", Time(a.created_at)}};
}

http::Response RenderAgents(DashboardContext& ctx, const Visitor& v, int status,
                            nlohmann::json view) {
  nlohmann::json agents = nlohmann::json::array();
  for (const auto& a : ctx.db.Agents().List(v.session.user_id)) agents.push_back(AgentView(a));
  view["agents"] = agents;
  view["has_agents"] = !agents.empty();
  return Page(ctx, v, status, "Agents", "agents", "dashboard_agents.html", view);
}

// The visitor's agent named by {agent_id}; nullopt (a 404) for anyone else's or none.
std::optional<store::Agent> OwnedAgent(DashboardContext& ctx, const Visitor& v,
                                       const http::Request& req) {
  std::string id = req.PathParam("agent_id").value_or("");
  if (!api::IsUuid(id)) return std::nullopt;
  return ctx.db.Agents().Find(v.session.user_id, id);
}

http::Response RenderAgent(DashboardContext& ctx, const Visitor& v, const store::Agent& agent,
                           int status, nlohmann::json view) {
  view["agent"] = AgentView(agent);
  view["agent_id"] = agent.id;
  view["agent_enabled"] = agent.enabled;
  nlohmann::json tools = nlohmann::json::array(), rules = nlohmann::json::array(),
                 keys = nlohmann::json::array();
  for (const auto& t : ctx.db.Agents().ListTools(agent.id)) {
    tools.push_back(
        {{"name", t.name}, {"scopes", JoinWords(t.scopes)}, {"description", t.description}});
  }
  for (const auto& r : ctx.db.Agents().ListRules(agent.id)) {
    rules.push_back({{"id", r.id},
                     {"tool", r.tool},
                     {"scope", r.scope},
                     {"require_reasoning", r.require_reasoning}});
  }
  for (const auto& k : ctx.db.ApiKeys().ListForUser(v.session.user_id)) {
    if (k.agent_id != agent.id) continue;
    keys.push_back({{"key_id", k.key_id},
                    {"name", k.name},
                    {"scopes", k.scopes.empty() ? "(all)" : JoinWords(k.scopes)},
                    {"state", k.revoked_at ? "revoked"
                              : k.expired  ? "expired"
                                           : "active"}});
  }
  view["tools"] = tools;
  view["rules"] = rules;
  view["keys"] = keys;
  view["has_tools"] = !tools.empty();
  view["has_rules"] = !rules.empty();
  view["has_keys"] = !keys.empty();
  if (!view.contains("edit_name")) {
    view["edit_name"] = agent.name;
    view["edit_rate_limit"] = std::to_string(agent.rate_limit);
    view["edit_burst"] = std::to_string(agent.burst);
    view["edit_enabled"] = agent.enabled;
  }
  return Page(ctx, v, status, "Agent " + agent.name, "agents", "dashboard_agent.html", view);
}

}  // namespace

http::Response ShowAgents(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  return RenderAgents(ctx, v.value(), 200, nlohmann::json::object());
}

http::Response CreateAgent(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/agents");
  if (!post) return post.error();
  const auto& f = post.value().fields;
  nlohmann::json o = {{"name", f.Get("name").value_or("")}};
  for (const char* n : {"rate_limit", "burst"}) {
    auto value = f.Get(n).value_or("");
    if (!value.empty()) o[n] = NumberOrText(value);
  }
  nlohmann::json view = {{"form_name", f.Get("name").value_or("")},
                         {"form_rate_limit", f.Get("rate_limit").value_or("")},
                         {"form_burst", f.Get("burst").value_or("")}};
  store::Agent agent;
  agent.user_id = post.value().visitor.session.user_id;
  if (auto e = api::ReadAgentFields(o, agent, true)) {
    AddFormError(view, "create", FieldErrorOf(*e));
    return RenderAgents(ctx, post.value().visitor, kFormInvalid, view);
  }
  auto created = ctx.db.Agents().Create(
      agent,
      DashboardAudit(post.value().visitor, req, "agent.created", "", {{"name", agent.name}}));
  if (!created) {
    AddFormError(view, "create", {"name", "an agent with this name exists"});
    return RenderAgents(ctx, post.value().visitor, kFormInvalid, view);
  }
  return SeeOther("/dashboard/agents/" + created->id);
}

http::Response ShowAgent(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  auto agent = OwnedAgent(ctx, v.value(), req);
  if (!agent) return NotFoundPage(ctx);
  return RenderAgent(ctx, v.value(), *agent, 200, nlohmann::json::object());
}

http::Response UpdateAgent(DashboardContext& ctx, http::Request& req) {
  std::string back = req.path;
  auto post = RequireForm(ctx, req, back);
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  auto agent = OwnedAgent(ctx, v, req);
  if (!agent) return NotFoundPage(ctx);
  const auto& f = post.value().fields;
  nlohmann::json o = {{"name", f.Get("name").value_or("")},
                      {"enabled", f.Get("enabled").has_value()},
                      {"rate_limit", NumberOrText(f.Get("rate_limit").value_or(""))},
                      {"burst", NumberOrText(f.Get("burst").value_or(""))}};
  nlohmann::json view = {{"edit_name", f.Get("name").value_or("")},
                         {"edit_rate_limit", f.Get("rate_limit").value_or("")},
                         {"edit_burst", f.Get("burst").value_or("")},
                         {"edit_enabled", f.Get("enabled").has_value()}};
  store::Agent updated = *agent;
  if (auto e = api::ReadAgentFields(o, updated, false)) {
    AddFormError(view, "edit", FieldErrorOf(*e));
    return RenderAgent(ctx, v, *agent, kFormInvalid, view);
  }
  switch (ctx.db.Agents().Update(updated, DashboardAudit(v, req, "agent.updated", updated.id, o))) {
    case store::WriteOutcome::kOk:
      return SeeOther("/dashboard/agents/" + updated.id);
    case store::WriteOutcome::kConflict:
      AddFormError(view, "edit", {"name", "an agent with this name exists"});
      return RenderAgent(ctx, v, *agent, kFormInvalid, view);
    case store::WriteOutcome::kNotFound:
      break;
  }
  return NotFoundPage(ctx);
}

http::Response DisableAgent(DashboardContext& ctx, http::Request& req) {
  std::string id = req.PathParam("agent_id").value_or("");
  auto post = RequireForm(ctx, req, "/dashboard/agents/" + id);
  if (!post) return post.error();
  auto agent = OwnedAgent(ctx, post.value().visitor, req);
  if (!agent) return NotFoundPage(ctx);
  store::Agent updated = *agent;
  updated.enabled = false;
  ctx.db.Agents().Update(updated, DashboardAudit(post.value().visitor, req, "agent.updated",
                                                 updated.id, {{"enabled", false}}));
  return SeeOther("/dashboard/agents/" + updated.id);
}

http::Response CreateTool(DashboardContext& ctx, http::Request& req) {
  std::string id = req.PathParam("agent_id").value_or("");
  auto post = RequireForm(ctx, req, "/dashboard/agents/" + id);
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  auto agent = OwnedAgent(ctx, v, req);
  if (!agent) return NotFoundPage(ctx);
  const auto& f = post.value().fields;
  nlohmann::json o = {{"name", f.Get("name").value_or("")},
                      {"scopes", SplitWords(f.Get("scopes").value_or(""))},
                      {"description", f.Get("description").value_or("")}};
  nlohmann::json view = {{"tool_name", f.Get("name").value_or("")},
                         {"tool_scopes", f.Get("scopes").value_or("")},
                         {"tool_description", f.Get("description").value_or("")}};
  store::Tool tool;
  if (auto e = api::ReadToolFields(o, tool, true)) {
    AddFormError(view, "tool", FieldErrorOf(*e));
    return RenderAgent(ctx, v, *agent, kFormInvalid, view);
  }
  auto outcome = ctx.db.Agents().CreateTool(
      agent->id, tool, DashboardAudit(v, req, "tool.created", agent->id + "/" + tool.name, o));
  if (outcome == store::WriteOutcome::kConflict) {
    AddFormError(view, "tool", {"name", "this agent has a tool of that name"});
    return RenderAgent(ctx, v, *agent, kFormInvalid, view);
  }
  if (outcome == store::WriteOutcome::kNotFound) return NotFoundPage(ctx);
  return SeeOther("/dashboard/agents/" + agent->id);
}

http::Response CreateRule(DashboardContext& ctx, http::Request& req) {
  std::string id = req.PathParam("agent_id").value_or("");
  auto post = RequireForm(ctx, req, "/dashboard/agents/" + id);
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  auto agent = OwnedAgent(ctx, v, req);
  if (!agent) return NotFoundPage(ctx);
  const auto& f = post.value().fields;
  nlohmann::json o = {{"tool", f.Get("tool").value_or("")},
                      {"scope", f.Get("scope").value_or("")},
                      {"require_reasoning", f.Get("require_reasoning").value_or("none")}};
  nlohmann::json view = {{"rule_tool", f.Get("tool").value_or("")},
                         {"rule_scope", f.Get("scope").value_or("")}};
  store::Rule rule;
  if (auto e = api::ReadRuleFields(o, rule, true)) {
    AddFormError(view, "rule", FieldErrorOf(*e));
    return RenderAgent(ctx, v, *agent, kFormInvalid, view);
  }
  auto outcome =
      ctx.db.Agents().CreateRule(agent->id, rule, DashboardAudit(v, req, "rule.created", "", o));
  if (outcome == store::WriteOutcome::kConflict) {
    AddFormError(view, "rule", {"tool", "this agent has a rule for that tool and scope"});
    return RenderAgent(ctx, v, *agent, kFormInvalid, view);
  }
  if (outcome == store::WriteOutcome::kNotFound) return NotFoundPage(ctx);
  return SeeOther("/dashboard/agents/" + agent->id);
}

}  // namespace oakgate::handlers::dashboard
