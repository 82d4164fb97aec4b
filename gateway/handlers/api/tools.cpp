#include "gateway/handlers/api/agents.hpp"
#include "gateway/policy/rules.hpp"

// /api/v1/agents/{agent_id}/tools and .../tools/{name}: {"name", "scopes", "description"}.
namespace oakgate::handlers::api {
namespace {

constexpr size_t kMaxDescription = 2000;
constexpr size_t kMaxScopes = 200;

nlohmann::json ToolJson(const store::Tool& t) {
  return {{"name", t.name}, {"scopes", t.scopes}, {"description", t.description}};
}

}  // namespace

std::optional<http::Response> ReadToolFields(const nlohmann::json& o, store::Tool& tool,
                                             bool creating) {
  if (auto e = RejectUnknown(
          o, creating ? std::initializer_list<std::string_view>{"name", "scopes", "description"}
                      : std::initializer_list<std::string_view>{"scopes", "description"}))
    return e;
  std::optional<std::string> name, description;
  std::optional<std::vector<std::string>> scopes;
  if (auto e = ReadString(o, "name", name)) return e;
  if (auto e = ReadStringArray(o, "scopes", scopes)) return e;
  if (auto e = ReadString(o, "description", description)) return e;
  if (creating && !name) return BadField("name", "name is required");
  if (name && !policy::IsValidName(*name)) {
    return BadField("name", "name must match [A-Za-z0-9._-]{1,200}");
  }
  if (scopes) {
    if (scopes->size() > kMaxScopes) return BadField("scopes", "too many scopes");
    for (const auto& s : *scopes) {
      if (!policy::IsValidName(s)) {
        return BadField("scopes", "each scope must match [A-Za-z0-9._-]{1,200}");
      }
    }
  }
  if (description && !IsPlainText(*description, kMaxDescription)) {
    return BadField("description", "description must be text of at most 2000 bytes");
  }
  if (name) tool.name = *name;
  if (scopes) tool.scopes = *scopes;
  if (description) tool.description = *description;
  return std::nullopt;
}

http::Response CreateTool(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  auto body = ParseObject(req);
  if (!body) return body.error();
  store::Tool tool;
  if (auto e = ReadToolFields(body.value(), tool, true)) return *e;
  auto outcome = ctx.db.Agents().CreateTool(
      agent.value().id, tool,
      Audit(who.value(), req, "tool.created", agent.value().id + "/" + tool.name, body.value()));
  if (outcome == store::WriteOutcome::kConflict) {
    return Conflict("the agent already has a tool of this name", "name");
  }
  if (outcome == store::WriteOutcome::kNotFound) return NotFound("no such agent");
  return Json(201, ToolJson(tool));
}

http::Response ListTools(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& t : ctx.db.Agents().ListTools(agent.value().id)) data.push_back(ToolJson(t));
  return Json(200, {{"data", data}});
}

http::Response GetTool(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  std::string name = req.PathParam("name").value_or("");
  auto tool =
      policy::IsValidName(name) ? ctx.db.Agents().FindTool(agent.value().id, name) : std::nullopt;
  if (!tool) return NotFound("no such tool");
  return Json(200, ToolJson(*tool));
}

http::Response PatchTool(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  std::string name = req.PathParam("name").value_or("");
  auto tool =
      policy::IsValidName(name) ? ctx.db.Agents().FindTool(agent.value().id, name) : std::nullopt;
  if (!tool) return NotFound("no such tool");
  auto body = ParseObject(req);
  if (!body) return body.error();
  if (auto e = ReadToolFields(body.value(), *tool, false)) return *e;
  auto outcome = ctx.db.Agents().UpdateTool(
      agent.value().id, *tool,
      Audit(who.value(), req, "tool.updated", agent.value().id + "/" + name, body.value()));
  if (outcome != store::WriteOutcome::kOk) return NotFound("no such tool");
  return Json(200, ToolJson(*tool));
}

http::Response DeleteTool(ApiContext& ctx, http::Request& req) {
  auto who = Authenticate(ctx, req, kAgentsScope);
  if (!who) return who.error();
  auto agent = OwnedAgent(ctx, who.value(), req);
  if (!agent) return agent.error();
  std::string name = req.PathParam("name").value_or("");
  if (!policy::IsValidName(name) ||
      !ctx.db.Agents().DeleteTool(
          agent.value().id, name,
          Audit(who.value(), req, "tool.deleted", agent.value().id + "/" + name))) {
    return NotFound("no such tool");
  }
  return http::Response::Empty(204);
}

}  // namespace oakgate::handlers::api
