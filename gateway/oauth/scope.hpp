#pragma once
// Scopes: space-separated scope-tokens (RFC 6749 §3.3).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oakgate::oauth {

// Splits on single spaces; nullopt for empty tokens, characters outside scope-token, or more
// than 64 scopes. Duplicates are removed, order kept.
std::optional<std::vector<std::string>> ParseScope(std::string_view text);
bool IsSubset(const std::vector<std::string>& requested, const std::vector<std::string>& allowed);
std::string JoinScope(const std::vector<std::string>& scopes);

}  // namespace oakgate::oauth
