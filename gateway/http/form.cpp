#include "gateway/http/form.hpp"

#include <unordered_set>

#include "gateway/util/strings.hpp"

namespace oakgate::http {

std::optional<std::string> Params::Get(std::string_view name) const {
  for (const auto& [n, v] : items_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

size_t Params::Count(std::string_view name) const {
  size_t count = 0;
  for (const auto& item : items_) count += item.first == name ? 1 : 0;
  return count;
}

std::optional<std::string> Params::FirstRepeated() const {
  std::unordered_set<std::string_view> seen;
  for (const auto& item : items_) {
    if (!seen.insert(item.first).second) return item.first;
  }
  return std::nullopt;
}

std::optional<Params> ParseUrlEncoded(std::string_view text, FormError* error) {
  Params params;
  if (text.empty()) return params;
  for (std::string_view pair : util::Split(text, '&')) {
    if (pair.empty()) continue;  // "a=1&&b=2" is tolerated, as browsers may send it
    size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    auto name = util::PercentDecode(raw_name, true);
    auto value = util::PercentDecode(raw_value, true);
    if (!name || !value) {
      error->description = "malformed percent-encoding";
      return std::nullopt;
    }
    if (!util::IsValidUtf8(*name) || !util::IsValidUtf8(*value)) {
      error->description = "parameters must be UTF-8";
      return std::nullopt;
    }
    if (name->empty()) {
      error->description = "empty parameter name";
      return std::nullopt;
    }
    params.Add(std::move(*name), std::move(*value));
  }
  return params;
}

}  // namespace oakgate::http
