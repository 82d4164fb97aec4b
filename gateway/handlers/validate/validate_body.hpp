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

// What both of the agent's endpoints (validate, its approvals) read and answer alike:
// the API key as presented (X-API-Key, else Authorization: Bearer; anything else is no key),
// the 401 of a refused key, and the 503 of a database that could not answer.
std::optional<std::string_view> PresentedApiKey(const http::Request& req);
http::Response KeyErrorAnswer(apikey::KeyError error);
http::Response UnavailableAnswer(std::string_view description);

// nullopt and a filled `out`, or the 400 answer.
std::optional<http::Response> ParseValidateBody(const http::Request& req, ValidateBody& out);

}  // namespace oakgate::handlers::validate
