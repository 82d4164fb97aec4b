#include "gateway/manage/fields.hpp"

#include <algorithm>

#include "gateway/util/strings.hpp"

namespace oakgate::manage {

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool IsPlainText(std::string_view s, size_t max) {
  if (s.size() > max || !util::IsValidUtf8(s)) return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool IsKeysetCursor(std::string_view c, size_t max_digits) {
  auto colon = c.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > max_digits) return false;
  for (char ch : c.substr(0, colon)) {
    if (ch < '0' || ch > '9') return false;
  }
  return IsUuid(c.substr(colon + 1));
}

std::optional<DomainError> OutOfRange(std::string_view field, int64_t value, int64_t min,
                                      int64_t max) {
  if (value >= min && value <= max) return std::nullopt;
  std::string name(field);
  return DomainError{
      ErrorKind::kInvalidInput,
      name + " must be between " + std::to_string(min) + " and " + std::to_string(max), name};
}

}  // namespace oakgate::manage
