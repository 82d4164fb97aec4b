// libFuzzer target: the body of POST /v1/validate. What is accepted has valid names, bounded
// reasoning and a context that is a JSON object of at most 16 KiB, without NUL.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "gateway/handlers/validate/validate_body.hpp"
#include "gateway/policy/rules.hpp"

namespace validate = oakgate::handlers::validate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  oakgate::http::Request req;
  req.method = "POST";
  req.headers.emplace_back("content-type", "application/json");
  req.body.assign(reinterpret_cast<const char*>(data), size);
  validate::ValidateBody body;
  auto refused = validate::ParseValidateBody(req, body);
  if (refused) {
    if (refused->status != 400 && refused->status != 415) __builtin_trap();
    return 0;
  }
  if (!oakgate::policy::IsValidName(body.tool) || !oakgate::policy::IsValidName(body.scope)) {
    __builtin_trap();
  }
  if (body.reasoning && body.reasoning->size() > validate::kMaxReasoning) __builtin_trap();
  if (body.context_json) {
    if (body.context_json->size() > validate::kMaxContext) __builtin_trap();
    if (body.context_json->find('\0') != std::string::npos) __builtin_trap();
    auto back = nlohmann::json::parse(*body.context_json, nullptr, false);
    if (!back.is_object()) __builtin_trap();
  }
  return 0;
}
