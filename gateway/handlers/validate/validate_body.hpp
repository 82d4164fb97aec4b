#pragma once
// The body of POST /v1/validate (CONTRACT §6): tool, scope, optional reasoning and context,
// each checked against its limits before anything is looked up.
#include <optional>
#include <string>

#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/policy/validator.hpp"

namespace oakgate::handlers::validate {

inline constexpr size_t kMaxReasoning = 8 * 1024;
inline constexpr size_t kMaxContext = 16 * 1024;

using ValidateBody = policy::Question;

// nullopt and a filled `out`, or the 400 answer.
std::optional<http::Response> ParseValidateBody(const http::Request& req, ValidateBody& out);

}  // namespace oakgate::handlers::validate
