#pragma once
// Decoded name/value pairs from a query string, a form body or a flat JSON object, in the
// order they arrived. Repetition is kept so callers can refuse it (RFC 6749 §3.1: request
// and response parameters MUST NOT be included more than once).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oakgate::http {

class Params {
 public:
  void Add(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
  }
  // The value of the first occurrence, if any.
  std::optional<std::string> Get(std::string_view name) const;
  size_t Count(std::string_view name) const;
  // The first name that occurs more than once, if any.
  std::optional<std::string> FirstRepeated() const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace oakgate::http
