#pragma once
// application/x-www-form-urlencoded, strictly: a malformed percent escape or a name or
// value that is not valid UTF-8 is an error, never silently repaired.
#include <optional>
#include <string>
#include <string_view>

#include "gateway/http/params.hpp"

namespace oakgate::http {

struct FormError {
  std::string description;
};

// On failure returns nullopt and fills `error`.
std::optional<Params> ParseUrlEncoded(std::string_view text, FormError* error);

}  // namespace oakgate::http
