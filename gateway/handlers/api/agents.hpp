#pragma once
// /api/v1/agents and /api/v1/agents/{agent_id} (CONTRACT §6), scope `agents`. Tools and
// rules of an agent live in tools.hpp and rules.hpp.
#include "gateway/handlers/api/api_common.hpp"

namespace oakgate::handlers::api {

http::Response CreateAgent(ApiContext& ctx, http::Request& req);
http::Response ListAgents(ApiContext& ctx, http::Request& req);
http::Response GetAgent(ApiContext& ctx, http::Request& req);
http::Response PatchAgent(ApiContext& ctx, http::Request& req);
http::Response DeleteAgent(ApiContext& ctx, http::Request& req);

http::Response CreateTool(ApiContext& ctx, http::Request& req);
http::Response ListTools(ApiContext& ctx, http::Request& req);
http::Response GetTool(ApiContext& ctx, http::Request& req);
http::Response PatchTool(ApiContext& ctx, http::Request& req);
http::Response DeleteTool(ApiContext& ctx, http::Request& req);

http::Response CreateRule(ApiContext& ctx, http::Request& req);
http::Response ListRules(ApiContext& ctx, http::Request& req);
http::Response GetRule(ApiContext& ctx, http::Request& req);
http::Response PatchRule(ApiContext& ctx, http::Request& req);
http::Response DeleteRule(ApiContext& ctx, http::Request& req);

// The API's validation of the writable fields of each object, shared with the dashboard's
// forms: nullopt when `o` is well-formed (and `out` updated), else the 400 answer naming the
// field. `creating` makes the required fields required.
std::optional<http::Response> ReadAgentFields(const nlohmann::json& o, store::Agent& out,
                                              bool creating);
std::optional<http::Response> ReadToolFields(const nlohmann::json& o, store::Tool& out,
                                             bool creating);
std::optional<http::Response> ReadRuleFields(const nlohmann::json& o, store::Rule& out,
                                             bool creating);

}  // namespace oakgate::handlers::api
