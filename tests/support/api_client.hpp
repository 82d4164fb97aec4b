#pragma once
// JSON calls to the management API and /v1/validate for e2e tests.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"

namespace oakgate::test {

struct JsonResponse {
  int status = 0;
  HttpResponse raw;
  nlohmann::json body;  // discarded when the body is not JSON
};

// `body` is sent as application/json when not null.
JsonResponse CallApi(int port, const std::string& method, const std::string& target,
                     const std::string& access_token, const nlohmann::json& body = nullptr);
// The same in the organization `org` (id or slug), named by the OakGate-Organization header.
JsonResponse CallApiIn(int port, const std::string& method, const std::string& target,
                       const std::string& access_token, const std::string& org,
                       const nlohmann::json& body = nullptr);
// POST /v1/validate with the key in X-API-Key (or Authorization: Bearer when `bearer`).
JsonResponse CallValidate(int port, const std::string& key, const nlohmann::json& body,
                          bool bearer = false);
JsonResponse ParseJsonResponse(HttpResponse raw);

// What the SDK suites seed through the management API: an agent with these tools and rules,
// and an API key for it (each call's failure is a test failure).
struct SeedTool {
  std::string name;
  std::vector<std::string> scopes;
};
struct SeedRule {
  std::string tool, scope, reasoning;
};
struct SeededAgent {
  std::string id;
  std::string key;
};
SeededAgent SeedAgent(int port, const std::string& token, const std::string& name,
                      const std::vector<SeedTool>& tools, const std::vector<SeedRule>& rules,
                      int rate = 100000, int burst = 100000);

}  // namespace oakgate::test
