#include "tests/support/api_client.hpp"

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
  std::vector<std::pair<std::string, std::string>> headers;
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

}  // namespace oakgate::test
