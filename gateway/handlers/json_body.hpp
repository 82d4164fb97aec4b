#pragma once
// The one JSON reader for request bodies (/oauth/token, /api/, /v1/validate): a document, or
// why not. Nesting is bounded so that no later recursive walk (dump, validation) can exhaust
// a worker's stack, whatever the body size limit.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace oakgate::handlers {

inline constexpr int kMaxJsonDepth = 32;

struct JsonBody {
  nlohmann::json doc;                       // discarded when `error` is set
  std::optional<std::string> error;         // client-facing reason the body was refused
  std::optional<std::string> repeated_key;  // the first top-level member named twice
};

JsonBody ParseJsonBody(std::string_view body);

}  // namespace oakgate::handlers
