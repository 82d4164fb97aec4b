#include "gateway/policy/rules.hpp"

#include "gateway/handlers/api/agents.hpp"

// /api/v1/agents/{agent_id}/rules and .../rules/{rule_id}:
// {"id", "tool", "scope", "require_reasoning"}. One rule per (agent, tool, scope): a second
// one answers 409 conflict.
namespace oakgate::handlers::api {
namespace {

nlohmann::json RuleJson(const store::Rule& r) {
  return {{"id", r.id},
          {"tool", r.tool},
          {"scope", r.scope},
          {"require_reasoning", r.require_reasoning}};
}

std::optional<store::Rule> FindRule(ApiContext& ctx, const store::Agent& agent,
                                    const http::Request& req) {
  std::string id = req.PathParam("rule_id").value_or("");
  if (!IsUuid(id)) return std::nullopt;
  return ctx.db.Agents().FindRule(agent.id, id);
}

}  // namespace

std::optional<http::Response> ReadRuleFields(const nlohmann::json& o, store::Rule& rule,
                                             bool creating) {
  if (auto e = RejectUnknown(o, {"tool", "scope", "require_reasoning"})) return e;
  std::optional<std::string> tool, scope, level;
  if (auto e = ReadString(o, "tool", tool)) return e;
  if (auto e = ReadString(o, "scope", scope)) return e;
  if (auto e = ReadString(o, "require_reasoning", level)) return e;
  if (creating && !tool) return BadField("tool", "tool is required");
  if (creating && !scope) return BadField("scope", "scope is required");
  if (tool && !policy::IsValidRuleName(*tool)) {
    return BadField("tool", "tool must be * or match [A-Za-z0-9._-]{1,200}");
  }
  if (scope && !policy::IsValidRuleName(*scope)) {
    return BadField("scope", "scope must be * or match [A-Za-z0-9._-]{1,200}");
  }
  if (level && !policy::ParseReasoning(*level)) {
    return BadField("require_reasoning", "require_reasoning must be none, soft or hard");
  }
  if (tool) rule.tool = *tool;
  if (scope) rule.scope = *scope;
  if (level) rule.require_reasoning = *level;
  return std::nullopt;
}

http::Response CreateRule(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  auto body = ParseObject(req);
  if (!body) return body.error();
  store::Rule rule;
  if (auto e = ReadRuleFields(body.value(), rule, true)) return *e;
  auto outcome = ctx.db.Agents().CreateRule(
      agent.value().id, rule, Audit(who.value(), req, "rule.created", "", body.value()));
  if (outcome == store::WriteOutcome::kConflict) {
    return Conflict("the agent already has a rule for this tool and scope");
  }
  if (outcome == store::WriteOutcome::kNotFound) return NotFound("no such agent");
  return Json(201, RuleJson(rule));
}

http::Response ListRules(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& r : ctx.db.Agents().ListRules(agent.value().id)) data.push_back(RuleJson(r));
  return Json(200, {{"data", data}});
}

http::Response GetRule(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  auto rule = FindRule(ctx, agent.value(), req);
  if (!rule) return NotFound("no such rule");
  return Json(200, RuleJson(*rule));
}

http::Response PatchRule(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  auto rule = FindRule(ctx, agent.value(), req);
  if (!rule) return NotFound("no such rule");
  auto body = ParseObject(req);
  if (!body) return body.error();
  if (auto e = ReadRuleFields(body.value(), *rule, false)) return *e;
  switch (ctx.db.Agents().UpdateRule(
      agent.value().id, *rule, Audit(who.value(), req, "rule.updated", rule->id, body.value()))) {
    case store::WriteOutcome::kOk:
      return Json(200, RuleJson(*rule));
    case store::WriteOutcome::kConflict:
      return Conflict("the agent already has a rule for this tool and scope");
    case store::WriteOutcome::kNotFound:
      break;
  }
  return NotFound("no such rule");
}

http::Response DeleteRule(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  std::string id = req.PathParam("rule_id").value_or("");
  if (!IsUuid(id) || !ctx.db.Agents().DeleteRule(agent.value().id, id,
                                                 Audit(who.value(), req, "rule.deleted", id))) {
    return NotFound("no such rule");
  }
  return http::Response::Empty(204);
}

}  // namespace oakgate::handlers::api
