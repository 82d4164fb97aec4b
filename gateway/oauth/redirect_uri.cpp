#include "gateway/oauth/redirect_uri.hpp"

namespace oakgate::oauth {
namespace {

struct Loopback {
  std::string host;  // "127.0.0.1", "[::1]" or "localhost"
  std::string rest;  // path, query: everything after the authority
};

std::optional<Loopback> ParseLoopback(std::string_view uri) {
  constexpr std::string_view kScheme = "http://";
  if (uri.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  std::string_view after = uri.substr(kScheme.size());
  size_t auth_end = after.find_first_of("/?#");
  std::string_view authority = after.substr(0, auth_end);
  std::string_view rest = auth_end == std::string_view::npos ? "" : after.substr(auth_end);
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(0, close + 1);
    std::string_view tail = authority.substr(close + 1);
    if (!tail.empty()) {
      if (tail.front() != ':') return std::nullopt;
      port = tail.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
  }
  if (host != "127.0.0.1" && host != "[::1]" && host != "localhost") return std::nullopt;
  if (port.size() > 5) return std::nullopt;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  return Loopback{std::string(host), std::string(rest)};
}

}  // namespace

bool IsLoopbackRedirect(std::string_view uri) { return ParseLoopback(uri).has_value(); }

std::optional<std::string> MatchRedirectUri(const std::vector<std::string>& registered,
                                            std::string_view requested) {
  for (const auto& r : registered) {
    if (r == requested) return r;
  }
  // RFC 8252 §7.3: the authorization server MUST allow any port for loopback redirects.
  auto req = ParseLoopback(requested);
  if (!req) return std::nullopt;
  for (const auto& r : registered) {
    auto reg = ParseLoopback(r);
    if (reg && reg->host == req->host && reg->rest == req->rest) return r;
  }
  return std::nullopt;
}

std::string OriginOf(std::string_view uri) {
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return "";
  size_t auth_end = uri.find_first_of("/?#", scheme_end + 3);
  return std::string(uri.substr(0, auth_end));
}

}  // namespace oakgate::oauth
