#include "gateway/http/request.hpp"

#include "gateway/http/cookies.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::http {

std::optional<std::string_view> Request::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return std::string_view(value);
  }
  return std::nullopt;
}

size_t Request::HeaderCount(std::string_view lower_name) const {
  size_t n = 0;
  for (const auto& h : headers) n += h.first == lower_name ? 1 : 0;
  return n;
}

std::optional<std::string> Request::PathParam(std::string_view name) const {
  for (const auto& [n, v] : path_params) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::string Request::MediaType() const {
  auto ct = Header("content-type");
  if (!ct) return "";
  std::string_view v = *ct;
  size_t semi = v.find(';');
  return util::ToLower(util::Trim(v.substr(0, semi)));
}

bool Request::WantsJson() const {
  auto accept = Header("accept");
  if (!accept) return false;
  std::string a = util::ToLower(*accept);
  return a.find("application/json") != std::string::npos &&
         a.find("text/html") == std::string::npos;
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n != "cookie") continue;
    auto found = FindCookie(v, name);
    if (found) return found;
  }
  return std::nullopt;
}

}  // namespace oakgate::http
