#include "gateway/handlers/api/agents.hpp"

namespace oakgate::handlers::api {
namespace {

nlohmann::json AgentJson(const store::Agent& a) {
  return {{"id", a.id},           {"name", a.name},
          {"enabled", a.enabled}, {"rate_limit", a.rate_limit},
          {"burst", a.burst},     {"created_at", TimeOrNull(a.created_at)}};
}

manage::Outcome<manage::AgentInput> ReadAgent(const nlohmann::json& o) {
  manage::AgentInput in;
  return Fields(o, {"name", "enabled", "rate_limit", "burst"})
      .String("name", in.name)
      .Bool("enabled", in.enabled)
      .Int("rate_limit", in.rate_limit)
      .Int("burst", in.burst)
      .Into(in);
}

}  // namespace

manage::Outcome<manage::Owned<store::Agent>> PathAgent(ApiContext& ctx, const Principal& who,
                                                       const http::Request& req) {
  return ctx.agents.Get(who, req.PathParam("agent_id").value_or(""));
}

http::Response CreateAgent(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto body = ParseObject(req);
  if (!body) return body.error();
  auto input = ReadAgent(body.value());
  if (!input) return Render(input.error());
  return Answer(ctx.agents.Create(who, input.value()), 201, AgentJson);
}

http::Response ListAgents(ApiContext& ctx, const Principal& who, http::Request&) {
  return AnswerList(ctx.agents.List(who), AgentJson);
}

http::Response GetAgent(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  return Json(200, AgentJson(*agent.value()));
}

http::Response PatchAgent(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  auto body = ParseObject(req);
  if (!body) return body.error();
  auto input = ReadAgent(body.value());
  if (!input) return Render(input.error());
  return Answer(ctx.agents.Update(who, agent.value(), input.value()), 200, AgentJson);
}

http::Response DeleteAgent(ApiContext& ctx, const Principal& who, http::Request& req) {
  return NoContent(ctx.agents.Delete(who, req.PathParam("agent_id").value_or("")));
}

}  // namespace oakgate::handlers::api
