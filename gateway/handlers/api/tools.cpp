#include "gateway/handlers/api/agents.hpp"

// /api/v1/agents/{agent_id}/tools and .../tools/{name}: {"name", "scopes", "description"}.
namespace oakgate::handlers::api {
namespace {

nlohmann::json ToolJson(const store::Tool& t) {
  return {{"name", t.name}, {"scopes", t.scopes}, {"description", t.description}};
}

// A tool's name is given on creation only.
manage::Outcome<manage::ToolInput> ReadTool(const nlohmann::json& o, bool creating) {
  manage::ToolInput in;
  return Fields(o, creating
                       ? std::initializer_list<std::string_view>{"name", "scopes", "description"}
                       : std::initializer_list<std::string_view>{"scopes", "description"})
      .String("name", in.name)
      .Strings("scopes", in.scopes)
      .String("description", in.description)
      .Into(in);
}

std::string ToolName(const http::Request& req) { return req.PathParam("name").value_or(""); }

}  // namespace

http::Response CreateTool(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  auto body = ParseObject(req);
  if (!body) return body.error();
  auto input = ReadTool(body.value(), true);
  if (!input) return Render(input.error());
  return Answer(ctx.tools.Create(who, agent.value(), input.value()), 201, ToolJson);
}

http::Response ListTools(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  return AnswerList(ctx.tools.List(who, agent.value()), ToolJson);
}

http::Response GetTool(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  return Answer(ctx.tools.Get(who, agent.value(), ToolName(req)), 200, ToolJson);
}

http::Response PatchTool(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  auto tool = ctx.tools.Get(who, agent.value(), ToolName(req));
  if (!tool) return Render(tool.error());
  auto body = ParseObject(req);
  if (!body) return body.error();
  auto input = ReadTool(body.value(), false);
  if (!input) return Render(input.error());
  return Answer(ctx.tools.Update(who, agent.value(), tool.value(), input.value()), 200, ToolJson);
}

http::Response DeleteTool(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto agent = PathAgent(ctx, who, req);
  if (!agent) return Render(agent.error());
  return NoContent(ctx.tools.Delete(who, agent.value(), ToolName(req)));
}

}  // namespace oakgate::handlers::api
