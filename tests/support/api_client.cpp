#include "tests/support/api_client.hpp"

#include <gtest/gtest.h>

namespace oakgate::test {

JsonResponse ParseJsonResponse(HttpResponse raw) {
  JsonResponse r;
  r.status = raw.status;
  r.body = nlohmann::json::parse(raw.body, nullptr, false);
  r.raw = std::move(raw);
  return r;
}

JsonResponse CallApi(int port, const std::string& method, const std::string& target,
                     const std::string& access_token, const nlohmann::json& body) {
  return CallApiIn(port, method, target, access_token, "", body);
}

JsonResponse CallApiIn(int port, const std::string& method, const std::string& target,
                       const std::string& access_token, const std::string& org,
                       const nlohmann::json& body) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!org.empty()) headers.emplace_back("OakGate-Organization", org);
  if (!access_token.empty()) headers.emplace_back("Authorization", "Bearer " + access_token);
  std::string text;
  if (!body.is_null()) {
    headers.emplace_back("Content-Type", "application/json");
    text = body.dump();
  }
  return ParseJsonResponse(Fetch(port, method, target, headers, text));
}

JsonResponse CallValidate(int port, const std::string& key, const nlohmann::json& body,
                          bool bearer) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};
  if (bearer) {
    headers.emplace_back("Authorization", "Bearer " + key);
  } else {
    headers.emplace_back("X-API-Key", key);
  }
  return ParseJsonResponse(Fetch(port, "POST", "/v1/validate", headers, body.dump()));
}

SeededAgent SeedAgent(int port, const std::string& token, const std::string& name,
                      const std::vector<SeedTool>& tools, const std::vector<SeedRule>& rules,
                      int rate, int burst) {
  auto agent = CallApi(port, "POST", "/api/v1/agents", token,
                       {{"name", name}, {"rate_limit", rate}, {"burst", burst}});
  EXPECT_EQ(agent.status, 201) << agent.raw.body;
  std::string id = agent.body.value("id", "");
  for (const auto& t : tools) {
    auto r = CallApi(port, "POST", "/api/v1/agents/" + id + "/tools", token,
                     {{"name", t.name}, {"scopes", t.scopes}});
    EXPECT_EQ(r.status, 201) << r.raw.body;
  }
  for (const auto& rule : rules) {
    auto r = CallApi(
        port, "POST", "/api/v1/agents/" + id + "/rules", token,
        {{"tool", rule.tool}, {"scope", rule.scope}, {"require_reasoning", rule.reasoning}});
    EXPECT_EQ(r.status, 201) << r.raw.body;
  }
  auto key = CallApi(port, "POST", "/api/v1/auth/api-keys", token,
                     {{"name", name + " key"}, {"agent_id", id}});
  EXPECT_EQ(key.status, 201) << key.raw.body;
  return {id, key.body.value("key", "")};
}

}  // namespace oakgate::test
