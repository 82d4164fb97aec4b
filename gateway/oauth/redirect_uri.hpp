#pragma once
// Redirect URI matching (CONTRACT §4, RFC 6749 §3.1.2.3, RFC 8252 §7.3).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oakgate::oauth {

// Exact string comparison, except for loopback redirect URIs (http://127.0.0.1,
// http://[::1], http://localhost): there the port is ignored, and a registered loopback URI
// without a port matches any port. Returns the registered URI that matched.
std::optional<std::string> MatchRedirectUri(const std::vector<std::string>& registered,
                                            std::string_view requested);

// The origin (scheme://host[:port]) of an absolute URI, or "" when it has none.
std::string OriginOf(std::string_view uri);

// True for http URIs whose host is 127.0.0.1, [::1] or localhost.
bool IsLoopbackRedirect(std::string_view uri);

}  // namespace oakgate::oauth
