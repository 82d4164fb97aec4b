#pragma once
// /api/v1/agents and /api/v1/agents/{agent_id} (CONTRACT §6), scope `agents`, with the
// agent's tools (tools.cpp) and rules (rules.cpp). Each handler reads the request into a
// typed input, calls one service, and renders its answer.
#include "gateway/handlers/api/api_common.hpp"

namespace oakgate::handlers::api {

http::Response CreateAgent(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response ListAgents(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response GetAgent(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response PatchAgent(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response DeleteAgent(ApiContext& ctx, const Principal& who, http::Request& req);

http::Response CreateTool(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response ListTools(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response GetTool(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response PatchTool(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response DeleteTool(ApiContext& ctx, const Principal& who, http::Request& req);

http::Response CreateRule(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response ListRules(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response GetRule(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response PatchRule(ApiContext& ctx, const Principal& who, http::Request& req);
http::Response DeleteRule(ApiContext& ctx, const Principal& who, http::Request& req);

// The caller's agent named by the {agent_id} path parameter. Tools and rules get it before
// they read the body, so another user's agent is 404 whatever the body holds.
manage::Outcome<manage::Owned<store::Agent>> PathAgent(ApiContext& ctx, const Principal& who,
                                                       const http::Request& req);

}  // namespace oakgate::handlers::api
