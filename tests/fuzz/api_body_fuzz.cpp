// libFuzzer target: JSON bodies of the management API (/api/v1/...): the shared object
// reader and the typed field readers the agent, tool, rule and key handlers use. A refusal is
// a 4xx answer, never an exception.
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
  auto check = [](const std::optional<oakgate::http::Response>& e) {
    if (e && (e->status < 400 || e->status >= 500)) __builtin_trap();
  };
  check(api::RejectUnknown(o, {"name", "enabled", "rate_limit", "burst", "scopes"}));
  check(api::ReadString(o, "name", name));
  check(api::ReadString(o, "agent_id", text));
  check(api::ReadBool(o, "enabled", flag));
  check(api::ReadInt(o, "rate_limit", 1, 1000000, number));
  if (number && (*number < 1 || *number > 1000000)) __builtin_trap();
  check(api::ReadStringArray(o, "scopes", list));
  return 0;
}
