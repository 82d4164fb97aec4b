#pragma once
// JSON calls to the management API and /v1/validate for e2e tests.
#include <nlohmann/json.hpp>
#include <string>

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
// POST /v1/validate with the key in X-API-Key (or Authorization: Bearer when `bearer`).
JsonResponse CallValidate(int port, const std::string& key, const nlohmann::json& body,
                          bool bearer = false);
JsonResponse ParseJsonResponse(HttpResponse raw);

}  // namespace oakgate::test
