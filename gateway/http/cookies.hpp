#pragma once
// Cookie header parsing (RFC 6265 §4.2) and Set-Cookie building.
#include <optional>
#include <string>
#include <string_view>

namespace oakgate::http {

// The value of the first cookie called `name` in a Cookie header value, or nullopt. Values
// with characters outside RFC 6265's cookie-octet set are treated as absent.
std::optional<std::string> FindCookie(std::string_view header_value, std::string_view name);

struct CookieSpec {
  std::string name;
  std::string value;
  bool secure = false;
  bool http_only = true;
  std::string same_site = "Lax";
  std::string path = "/";
  // Seconds; negative means a session cookie, 0 deletes it.
  long long max_age = -1;
};

std::string BuildSetCookie(const CookieSpec& spec);

}  // namespace oakgate::http
