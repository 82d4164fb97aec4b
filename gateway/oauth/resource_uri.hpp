#pragma once
// Resource indicators (RFC 8707 §2): a resource is an absolute URI without a fragment. oakgate
// accepts https, and http only for loopback hosts, and compares resources as exact strings
// after lower-casing the scheme and host (RFC 3986 §6.2.2.1).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oakgate::oauth {

inline constexpr size_t kMaxResourceUri = 2000;
inline constexpr size_t kMaxResourcesPerRequest = 10;

// The normalised form of `uri`, or nullopt when it is relative, has a fragment, user info, an
// empty or wildcard host, a scheme other than https (or http on a loopback host), a bad port,
// spaces or control characters, or is longer than kMaxResourceUri.
std::optional<std::string> NormalizeResourceUri(std::string_view uri);

// Normalises every value, removing duplicates (order kept); nullopt when one is invalid or
// there are more than kMaxResourcesPerRequest.
std::optional<std::vector<std::string>> NormalizeResourceList(const std::vector<std::string>& uris);

}  // namespace oakgate::oauth
