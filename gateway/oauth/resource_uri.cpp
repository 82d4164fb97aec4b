#include "gateway/oauth/resource_uri.hpp"

#include <algorithm>

#include "gateway/util/strings.hpp"

namespace oakgate::oauth {
namespace {

bool IsLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "[::1]" || host == "localhost";
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

}  // namespace

std::optional<std::string> NormalizeResourceUri(std::string_view uri) {
  if (uri.empty() || uri.size() > kMaxResourceUri) return std::nullopt;
  for (unsigned char c : uri) {
    if (c <= 0x20 || c >= 0x7F) return std::nullopt;
  }
  // RFC 8707 §2: the resource MUST NOT include a fragment component.
  if (uri.find('#') != std::string_view::npos) return std::nullopt;
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;  // relative
  std::string scheme = util::ToLower(uri.substr(0, scheme_end));
  if (scheme != "https" && scheme != "http") return std::nullopt;
  std::string_view after = uri.substr(scheme_end + 3);
  size_t auth_end = after.find_first_of("/?");
  std::string_view authority = after.substr(0, auth_end);
  std::string_view rest = auth_end == std::string_view::npos ? "" : after.substr(auth_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string host;
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = util::ToLower(authority.substr(0, close + 1));
    std::string_view tail = authority.substr(close + 1);
    if (!tail.empty()) {
      if (tail.front() != ':') return std::nullopt;
      port = tail.substr(1);
    }
    for (char c : host.substr(1, host.size() - 2)) {
      bool ok = (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
      if (!ok) return std::nullopt;
    }
    if (host.size() < 4) return std::nullopt;
  } else {
    size_t colon = authority.find(':');
    host = util::ToLower(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
    // No wildcard, no empty labels: a resource names one server.
    if (host.empty() || host.front() == '.' || host.front() == '-' ||
        host.find("..") != std::string::npos) {
      return std::nullopt;
    }
    for (char c : host) {
      if (!IsHostChar(c)) return std::nullopt;
    }
  }
  if (port.size() > 5) return std::nullopt;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (!port.empty() &&
      (std::stoi(std::string(port)) == 0 || std::stoi(std::string(port)) > 65535)) {
    return std::nullopt;
  }
  // Plain http only where it never leaves the machine.
  if (scheme == "http" && !IsLoopbackHost(host)) return std::nullopt;
  std::string out = scheme + "://" + host;
  if (!port.empty()) out += ":" + std::string(port);
  out += rest;
  return out;
}

std::optional<std::vector<std::string>> NormalizeResourceList(
    const std::vector<std::string>& uris) {
  if (uris.size() > kMaxResourcesPerRequest) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& u : uris) {
    auto n = NormalizeResourceUri(u);
    if (!n) return std::nullopt;
    if (std::find(out.begin(), out.end(), *n) == out.end()) out.push_back(std::move(*n));
  }
  return out;
}

}  // namespace oakgate::oauth
