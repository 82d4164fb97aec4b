// libFuzzer target: JSON bodies of the management API (/api/v1/...): the shared object
// reader and the typed field reader (Fields) the agent, tool, rule and key handlers use. A refusal
// is a 4xx answer, never an exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gateway/handlers/api/api_common.hpp"

namespace api = oakgate::handlers::api;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  oakgate::http::Request req;
  req.method = "POST";
  req.headers.emplace_back("content-type", "application/json");
  req.body.assign(reinterpret_cast<const char*>(data), size);
  auto body = api::ParseObject(req, size % 2 == 0);
  if (!body) {
    int status = body.error().status;
    if (status < 400 || status >= 500) __builtin_trap();
    return 0;
  }
  const nlohmann::json& o = body.value();
  if (!o.is_object()) __builtin_trap();
  std::optional<std::string> name, text;
  std::optional<int64_t> number;
  std::optional<bool> flag;
  std::optional<std::vector<std::string>> list;
  auto fields = api::Fields(o, {"name", "agent_id", "enabled", "rate_limit", "scopes"})
                    .String("name", name)
                    .String("agent_id", text)
                    .Bool("enabled", flag)
                    .Int("rate_limit", number)
                    .Strings("scopes", list);
  // A refusal names a field and renders as a 4xx answer.
  if (const auto& e = fields.error()) {
    int status = api::Render(*e).status;
    if (e->field.empty() || status < 400 || status >= 500) __builtin_trap();
  }
  return 0;
}
