// libFuzzer target: the body of POST /oauth/token, /oauth/introspect and /oauth/revoke, as
// form-urlencoded or JSON (the first byte picks which). Refusals are values with a reason;
// what is accepted repeats no parameter but `resource` (RFC 6749 §3.2, RFC 8707 §2).
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "gateway/handlers/oauth/oauth_http.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  oakgate::http::Request req;
  req.method = "POST";
  req.headers.emplace_back(
      "content-type", (data[0] & 1) ? "application/json" : "application/x-www-form-urlencoded");
  req.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto parsed = oakgate::handlers::oauth::ParseOAuthBody(req);
  if (parsed) {
    std::set<std::string> seen;
    for (const auto& [name, value] : parsed.value().items()) {
      if (name != "resource" && !seen.insert(name).second) __builtin_trap();
    }
  } else if (parsed.error().description.empty()) {
    __builtin_trap();  // every refusal says why
  }
  return 0;
}
