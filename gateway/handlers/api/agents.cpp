#include "gateway/handlers/api/agents.hpp"

#include "gateway/policy/rules.hpp"

namespace oakgate::handlers::api {
namespace {

constexpr int64_t kMaxRate = 1000000;

nlohmann::json AgentJson(const store::Agent& a) {
  return {{"id", a.id},           {"name", a.name},
          {"enabled", a.enabled}, {"rate_limit", a.rate_limit},
          {"burst", a.burst},     {"created_at", TimeOrNull(a.created_at)}};
}

}  // namespace

// Reads the writable fields into `agent`; nullopt when they are all well-formed.
std::optional<http::Response> ReadAgentFields(const nlohmann::json& o, store::Agent& agent,
                                              bool creating) {
  if (auto e = RejectUnknown(o, {"name", "enabled", "rate_limit", "burst"})) return e;
  std::optional<std::string> name;
  std::optional<bool> enabled;
  std::optional<int64_t> rate, burst;
  if (auto e = ReadString(o, "name", name)) return e;
  if (auto e = ReadBool(o, "enabled", enabled)) return e;
  if (auto e = ReadInt(o, "rate_limit", 1, kMaxRate, rate)) return e;
  if (auto e = ReadInt(o, "burst", 1, kMaxRate, burst)) return e;
  if (creating && !name) return BadField("name", "name is required");
  if (name && !policy::IsValidName(*name)) {
    return BadField("name", "name must match [A-Za-z0-9._-]{1,200}");
  }
  if (name) agent.name = *name;
  if (enabled) agent.enabled = *enabled;
  if (rate) agent.rate_limit = *rate;
  // The burst defaults to the rate (CONTRACT §6).
  if (burst) {
    agent.burst = *burst;
  } else if (creating && rate) {
    agent.burst = *rate;
  }
  return std::nullopt;
}

http::Response CreateAgent(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto body = ParseObject(req);
  if (!body) return body.error();
  store::Agent agent;
  agent.user_id = who.value().user_id;
  if (auto e = ReadAgentFields(body.value(), agent, true)) return *e;
  auto created = ctx.db.Agents().Create(
      agent, Audit(who.value(), req, "agent.created", "", {{"name", agent.name}}));
  if (!created) return Conflict("an agent with this name exists", "name");
  return Json(201, AgentJson(*created));
}

http::Response ListAgents(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& a : ctx.db.Agents().List(who.value().user_id)) data.push_back(AgentJson(a));
  return Json(200, {{"data", data}});
}

http::Response GetAgent(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  return Json(200, AgentJson(agent.value()));
}

http::Response PatchAgent(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  auto body = ParseObject(req);
  if (!body) return body.error();
  store::Agent updated = agent.value();
  if (auto e = ReadAgentFields(body.value(), updated, false)) return *e;
  switch (ctx.db.Agents().Update(
      updated, Audit(who.value(), req, "agent.updated", updated.id, body.value()))) {
    case store::WriteOutcome::kOk:
      return Json(200, AgentJson(updated));
    case store::WriteOutcome::kConflict:
      return Conflict("an agent with this name exists", "name");
    case store::WriteOutcome::kNotFound:
      break;
  }
  return NotFound("no such agent");
}

http::Response DeleteAgent(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  std::string id = req.PathParam("agent_id").value_or("");
  if (!IsUuid(id) || !ctx.db.Agents().Delete(who.value().user_id, id,
                                             Audit(who.value(), req, "agent.deleted", id))) {
    return NotFound("no such agent");
  }
  return http::Response::Empty(204);
}

}  // namespace oakgate::handlers::api
