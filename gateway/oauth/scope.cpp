#include "gateway/oauth/scope.hpp"

#include <algorithm>

#include "gateway/util/strings.hpp"

namespace oakgate::oauth {

std::optional<std::vector<std::string>> ParseScope(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (std::string_view token : util::Split(text, ' ')) {
    // scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    if (token.empty() || token.size() > 200) return std::nullopt;
    for (unsigned char c : token) {
      if (c < 0x21 || c == 0x22 || c == 0x5C || c > 0x7E) return std::nullopt;
    }
    if (std::find(out.begin(), out.end(), token) == out.end()) out.emplace_back(token);
  }
  if (out.size() > 64) return std::nullopt;
  return out;
}

bool IsSubset(const std::vector<std::string>& requested, const std::vector<std::string>& allowed) {
  for (const auto& s : requested) {
    if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) return false;
  }
  return true;
}

std::string JoinScope(const std::vector<std::string>& scopes) { return util::JoinList(scopes); }

}  // namespace oakgate::oauth
