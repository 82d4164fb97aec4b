#include "gateway/handlers/api/agents.hpp"

// /api/v1/agents/{agent_id}/rules and .../rules/{rule_id} (CONTRACT §6, §10):
// {"id", "tool", "scope", "effect", "conditions", "priority", "require_reasoning",
// "approval_ttl"}. Several rules may share (tool, scope).
namespace oakgate::handlers::api {
namespace {

nlohmann::json RuleJson(const store::Rule& r) {
  nlohmann::json conditions = nlohmann::json::parse(r.conditions_json, nullptr, false);
  if (conditions.is_discarded()) conditions = nlohmann::json::array();
  return {{"id", r.id},
          {"tool", r.tool},
          {"scope", r.scope},
          {"effect", r.effect},
          {"conditions", conditions},
          {"priority", r.priority},
          {"require_reasoning", r.require_reasoning},
          {"approval_ttl", r.approval_ttl}};
}

manage::Outcome<manage::RuleInput> ReadRule(const nlohmann::json& o) {
  manage::RuleInput in;
  auto read = Fields(o, {"tool", "scope", "require_reasoning", "effect", "conditions", "priority",
                         "approval_ttl"})
                  .String("tool", in.tool)
                  .String("scope", in.scope)
                  .String("require_reasoning", in.require_reasoning)
                  .String("effect", in.effect)
                  .Int("priority", in.priority)
                  .Int("approval_ttl", in.approval_ttl)
                  .Into(true);
  if (!read) return util::Fail(read.error());
  // An array of {field, op, value}: its members are the service's to check (naming
  // conditions[i].field and so on).
  if (auto it = o.find("conditions"); it != o.end()) in.conditions = *it;
  return in;
}

std::string RuleId(const http::Request& req) { return req.PathParam("rule_id").value_or(""); }

}  // namespace

http::Response CreateRule(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  auto body = ParseObject(req);
  if (!body) return body.error();
  auto input = ReadRule(body.value());
  if (!input) return Render(input.error());
  return Answer(ctx.rules.Create(who, agent.value(), input.value()), 201, RuleJson);
}

http::Response ListRules(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  return AnswerList(ctx.rules.List(who, agent.value()), RuleJson);
}

http::Response GetRule(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  return Answer(ctx.rules.Get(who, agent.value(), RuleId(req)), 200, RuleJson);
}

http::Response PatchRule(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  auto rule = ctx.rules.Get(who, agent.value(), RuleId(req));
  if (!rule) return Render(rule.error());
  auto body = ParseObject(req);
  if (!body) return body.error();
  auto input = ReadRule(body.value());
  if (!input) return Render(input.error());
  return Answer(ctx.rules.Update(who, agent.value(), rule.value(), input.value()), 200, RuleJson);
}

http::Response DeleteRule(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  return NoContent(ctx.rules.Delete(who, agent.value(), RuleId(req)));
}

}  // namespace oakgate::handlers::api
