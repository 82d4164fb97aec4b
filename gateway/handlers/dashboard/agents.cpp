// /dashboard/agents: the organization's agents, creation, and one agent's page (edit, disable,
// its tools, rules and keys; deleting a tool or a rule), and one rule's page (change, delete).
// The services check every field and role, as they do for the API; a member sees no control to
// create, change or delete an agent, a tool or a rule.
#include "gateway/handlers/dashboard/pages.hpp"
#include "gateway/handlers/dashboard/rule_form.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::dashboard {
namespace {

using manage::Owned;

nlohmann::json AgentView(const store::Agent& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"enabled", a.enabled},
          {"rate_limit", std::to_string(a.rate_limit)},
          {"burst", std::to_string(a.burst)},
          {"created_at", Time(a.created_at)}};
}

http::Response RenderAgents(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                            int status, nlohmann::json view) {
  nlohmann::json agents = nlohmann::json::array();
  auto list = ctx.agents.List(Who(v, req));
  for (const auto& a : list ? list.value() : std::vector<store::Agent>{}) {
    agents.push_back(AgentView(a));
  }
  view["agents"] = agents;
  view["has_agents"] = !agents.empty();
  return Page(ctx, v, status, "Agents", "agents", "dashboard_agents.html", view);
}

// The visitor's agent named by {agent_id}: anyone else's, or none, is a 404 page.
manage::Outcome<Owned<store::Agent>> PathAgent(DashboardContext& ctx, const Visitor& v,
                                               const http::Request& req) {
  return ctx.agents.Get(Who(v, req), req.PathParam("agent_id").value_or(""));
}

// A form POST of the agent's page with the visitor's agent it names: sign-in and a stale
// form return to that page; another user's agent, or none, is a 404 page.
struct AgentForm {
  FormPost post;
  Owned<store::Agent> agent;
};
util::Result<AgentForm, http::Response> RequireAgentForm(DashboardContext& ctx,
                                                         const http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/agents/" + req.PathParam("agent_id").value_or(""));
  if (!post) return util::Fail(post.error());
  auto agent = PathAgent(ctx, post.value().visitor, req);
  if (!agent) return util::Fail(NotFoundPage(ctx));
  return AgentForm{std::move(post.value()), agent.value()};
}

std::string AgentPage(const store::Agent& agent) { return "/dashboard/agents/" + agent.id; }

http::Response RenderAgent(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                           const Owned<store::Agent>& agent, int status, nlohmann::json view) {
  manage::Principal who = Who(v, req);
  view["agent"] = AgentView(*agent);
  view["agent_id"] = agent->id;
  // CONTRACT §9: a member issues keys only for agents it created.
  view["may_issue"] =
      who.CanManage() || (!agent->created_by.empty() && agent->created_by == v.session.user_id);
  view["agent_enabled"] = agent->enabled;
  nlohmann::json tools = nlohmann::json::array(), rules = nlohmann::json::array(),
                 keys = nlohmann::json::array();
  if (auto list = ctx.tools.List(who, agent)) {
    for (const auto& t : list.value()) {
      tools.push_back(
          {{"name", t.name}, {"scopes", util::JoinList(t.scopes)}, {"description", t.description}});
    }
  }
  if (auto list = ctx.rules.List(who, agent)) {
    for (const auto& r : list.value()) {
      rules.push_back(RuleView(r));
    }
  }
  if (auto list = ctx.keys.List(who)) {
    for (const auto& k : list.value()) {
      if (k.agent_id != agent->id) continue;
      keys.push_back({{"key_id", k.key_id},
                      {"name", k.name},
                      {"scopes", k.scopes.empty() ? "(all)" : util::JoinList(k.scopes)},
                      {"state", k.revoked_at ? "revoked"
                                : k.expired  ? "expired"
                                             : "active"}});
    }
  }
  view["tools"] = tools;
  view["rules"] = rules;
  view["keys"] = keys;
  view["has_tools"] = !tools.empty();
  view["has_rules"] = !rules.empty();
  view["has_keys"] = !keys.empty();
  if (!view.contains("edit_name")) {
    view["edit_name"] = agent->name;
    view["edit_rate_limit"] = std::to_string(agent->rate_limit);
    view["edit_burst"] = std::to_string(agent->burst);
    view["edit_enabled"] = agent->enabled;
  }
  view["rule_form"] = RuleForm(ctx, v, AgentPage(*agent) + "/rules", true, view);
  return Page(ctx, v, status, "Agent " + agent->name, "agents", "dashboard_agent.html", view);
}

// A form of the agent's page that failed: the page again with the error at its field; a
// 404 page when the agent is gone meanwhile.
http::Response FormFailed(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                          const Owned<store::Agent>& agent, std::string_view form,
                          const manage::DomainError& error, nlohmann::json view,
                          std::string_view field = "") {
  if (error.kind == manage::ErrorKind::kNotFound && error.field.empty()) return NotFoundPage(ctx);
  AddFormError(view, form, error, field);
  return RenderAgent(ctx, v, req, agent, kFormInvalid, std::move(view));
}

// A deletion from the agent's page that failed: the page again with the reason above the
// table (`table` is "tools" or "rules"); what the role may not do at the top of the page.
http::Response DeleteFailed(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                            const Owned<store::Agent>& agent, std::string_view table,
                            const manage::DomainError& error) {
  nlohmann::json view = nlohmann::json::object();
  AddFormError(view, table, error);
  return RenderAgent(ctx, v, req, agent, kFormInvalid, std::move(view));
}

http::Response RenderRule(DashboardContext& ctx, const Visitor& v, const Owned<store::Agent>& agent,
                          const store::Rule& rule, int status, nlohmann::json view) {
  if (!view.contains("rule_tool")) RuleFields(rule, view);
  std::string page = AgentPage(*agent) + "/rules/" + rule.id;
  view["rule"] = RuleView(rule);
  view["rule_id"] = rule.id;
  view["agent_id"] = agent->id;
  view["agent_name"] = agent->name;
  view["rule_form"] = RuleForm(ctx, v, page, false, view);
  return Page(ctx, v, status, "Rule " + rule.tool + " / " + rule.scope, "agents",
              "dashboard_rule.html", view);
}

}  // namespace

http::Response ShowAgents(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  return RenderAgents(ctx, v.value(), req, 200, nlohmann::json::object());
}

http::Response CreateAgent(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/agents");
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  const auto& f = post.value().fields;
  std::string rate = f.Get("rate_limit").value_or(""), burst = f.Get("burst").value_or("");
  nlohmann::json view = {
      {"form_name", f.Get("name").value_or("")}, {"form_rate_limit", rate}, {"form_burst", burst}};
  manage::AgentInput input;
  input.name = f.Get("name").value_or("");
  std::optional<manage::DomainError> error;
  if (!rate.empty()) error = FormInt(rate, "rate_limit", input.rate_limit);
  if (!error && !burst.empty()) error = FormInt(burst, "burst", input.burst);
  if (!error) {
    auto created = ctx.agents.Create(Who(v, req), input);
    if (created) return SeeOther("/dashboard/agents/" + created.value().id);
    error = created.error();
  }
  AddFormError(view, "create", *error);
  return RenderAgents(ctx, v, req, kFormInvalid, view);
}

http::Response ShowAgent(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  auto agent = PathAgent(ctx, v.value(), req);
  if (!agent) return NotFoundPage(ctx);
  return RenderAgent(ctx, v.value(), req, agent.value(), 200, nlohmann::json::object());
}

http::Response UpdateAgent(DashboardContext& ctx, http::Request& req) {
  auto form = RequireAgentForm(ctx, req);
  if (!form) return form.error();
  const auto& [post, agent] = form.value();
  const auto& f = post.fields;
  nlohmann::json view = {{"edit_name", f.Get("name").value_or("")},
                         {"edit_rate_limit", f.Get("rate_limit").value_or("")},
                         {"edit_burst", f.Get("burst").value_or("")},
                         {"edit_enabled", f.Get("enabled").has_value()}};
  // An unticked checkbox is not sent: every field of this form is given.
  manage::AgentInput input;
  input.name = f.Get("name").value_or("");
  input.enabled = f.Get("enabled").has_value();
  auto error = FormInt(f.Get("rate_limit").value_or(""), "rate_limit", input.rate_limit);
  if (!error) error = FormInt(f.Get("burst").value_or(""), "burst", input.burst);
  if (!error) {
    auto updated = ctx.agents.Update(Who(post.visitor, req), agent, input);
    if (updated) return SeeOther("/dashboard/agents/" + updated.value().id);
    error = updated.error();
  }
  return FormFailed(ctx, post.visitor, req, agent, "edit", *error, view);
}

http::Response DisableAgent(DashboardContext& ctx, http::Request& req) {
  auto form = RequireAgentForm(ctx, req);
  if (!form) return form.error();
  const auto& [post, agent] = form.value();
  manage::AgentInput input;
  input.enabled = false;
  auto updated = ctx.agents.Update(Who(post.visitor, req), agent, input);
  if (updated) return SeeOther(AgentPage(*agent));
  return FormFailed(ctx, post.visitor, req, agent, "edit", updated.error(),
                    nlohmann::json::object());
}

http::Response CreateTool(DashboardContext& ctx, http::Request& req) {
  auto form = RequireAgentForm(ctx, req);
  if (!form) return form.error();
  const auto& [post, agent] = form.value();
  const auto& f = post.fields;
  manage::ToolInput input;
  input.name = f.Get("name").value_or("");
  input.scopes = util::SplitList(f.Get("scopes").value_or(""));
  input.description = f.Get("description").value_or("");
  auto created = ctx.tools.Create(Who(post.visitor, req), agent, input);
  if (created) return SeeOther(AgentPage(*agent));
  nlohmann::json view = {{"tool_name", f.Get("name").value_or("")},
                         {"tool_scopes", f.Get("scopes").value_or("")},
                         {"tool_description", f.Get("description").value_or("")}};
  return FormFailed(ctx, post.visitor, req, agent, "tool", created.error(), view);
}

http::Response DeleteTool(DashboardContext& ctx, http::Request& req) {
  auto form = RequireAgentForm(ctx, req);
  if (!form) return form.error();
  const auto& [post, agent] = form.value();
  auto done =
      ctx.tools.Delete(Who(post.visitor, req), agent, req.PathParam("tool_name").value_or(""));
  if (done) return SeeOther(AgentPage(*agent));
  return DeleteFailed(ctx, post.visitor, req, agent, "tools", done.error());
}

http::Response CreateRule(DashboardContext& ctx, http::Request& req) {
  auto form = RequireAgentForm(ctx, req);
  if (!form) return form.error();
  const auto& [post, agent] = form.value();
  manage::RuleInput input;
  auto error = RuleFormInput(post.fields, input);
  if (!error) {
    auto created = ctx.rules.Create(Who(post.visitor, req), agent, input);
    if (created) return SeeOther(AgentPage(*agent));
    error = created.error();
  }
  return FormFailed(ctx, post.visitor, req, agent, "rule", *error, TypedRuleFields(post.fields));
}

http::Response ShowRule(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  auto agent = PathAgent(ctx, v.value(), req);
  if (!agent) return NotFoundPage(ctx);
  auto rule =
      ctx.rules.Get(Who(v.value(), req), agent.value(), req.PathParam("rule_id").value_or(""));
  if (!rule) return NotFoundPage(ctx);
  return RenderRule(ctx, v.value(), agent.value(), rule.value(), 200, nlohmann::json::object());
}

http::Response UpdateRule(DashboardContext& ctx, http::Request& req) {
  auto form = RequireAgentForm(ctx, req);
  if (!form) return form.error();
  const auto& [post, agent] = form.value();
  manage::Principal who = Who(post.visitor, req);
  auto rule = ctx.rules.Get(who, agent, req.PathParam("rule_id").value_or(""));
  if (!rule) return NotFoundPage(ctx);
  manage::RuleInput input;
  auto error = RuleFormInput(post.fields, input);
  if (!error) {
    auto updated = ctx.rules.Update(who, agent, rule.value(), input);
    if (updated) return SeeOther(AgentPage(*agent));
    error = updated.error();
  }
  if (error->kind == manage::ErrorKind::kNotFound && error->field.empty()) return NotFoundPage(ctx);
  nlohmann::json view = TypedRuleFields(post.fields);
  AddFormError(view, "rule", *error);
  return RenderRule(ctx, post.visitor, agent, rule.value(), kFormInvalid, std::move(view));
}

http::Response DeleteRule(DashboardContext& ctx, http::Request& req) {
  auto form = RequireAgentForm(ctx, req);
  if (!form) return form.error();
  const auto& [post, agent] = form.value();
  auto done =
      ctx.rules.Delete(Who(post.visitor, req), agent, req.PathParam("rule_id").value_or(""));
  if (done) return SeeOther(AgentPage(*agent));
  return DeleteFailed(ctx, post.visitor, req, agent, "rules", done.error());
}

}  // namespace oakgate::handlers::dashboard
