#pragma once
// Checks of input values shared by the management services.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/manage/domain_error.hpp"

namespace oakgate::manage {

// Canonical lower-case 8-4-4-4-12 hex; anything else cannot be one of our ids.
bool IsUuid(std::string_view s);
// Printable UTF-8 text without control characters, at most `max` bytes.
bool IsPlainText(std::string_view s, size_t max);
// A keyset page's cursor as this API hands them out: "<digits>:<uuid>", the digits (a time)
// at most `max_digits` long.
bool IsKeysetCursor(std::string_view cursor, size_t max_digits);
// The invalid-input error for an integer `value` of `field` outside [min, max]; nullopt inside.
std::optional<DomainError> OutOfRange(std::string_view field, int64_t value, int64_t min,
                                      int64_t max);

}  // namespace oakgate::manage
