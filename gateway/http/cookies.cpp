#include "gateway/http/cookies.hpp"

#include "gateway/util/strings.hpp"

namespace oakgate::http {

static bool IsCookieOctet(unsigned char c) {
  // RFC 6265 §4.1.1 cookie-octet
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

std::optional<std::string> FindCookie(std::string_view header_value, std::string_view name) {
  for (std::string_view part : util::Split(header_value, ';')) {
    part = util::Trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (util::Trim(part.substr(0, eq)) != name) continue;
    std::string_view value = util::Trim(part.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    for (unsigned char c : value) {
      if (!IsCookieOctet(c)) return std::nullopt;
    }
    return std::string(value);
  }
  return std::nullopt;
}

std::string BuildSetCookie(const CookieSpec& spec) {
  std::string out = spec.name + "=" + spec.value + "; Path=" + spec.path;
  if (spec.max_age >= 0) out += "; Max-Age=" + std::to_string(spec.max_age);
  if (spec.secure) out += "; Secure";
  if (spec.http_only) out += "; HttpOnly";
  if (!spec.same_site.empty()) out += "; SameSite=" + spec.same_site;
  return out;
}

}  // namespace oakgate::http
