#include "tests/support/login_flow.hpp"

#include <stdexcept>

namespace oakgate::test {

std::string HtmlUnescape(const std::string& value) {
  std::string plain;
  for (size_t i = 0; i < value.size(); ++i) {
    size_t semi = value.find(';', i);
    if (value[i] != '&' || semi == std::string::npos) {
      plain += value[i];
      continue;
    }
    std::string ent = value.substr(i, semi - i + 1);
    if (ent == "&amp;")
      plain += '&';
    else if (ent == "&lt;")
      plain += '<';
    else if (ent == "&gt;")
      plain += '>';
    else if (ent == "&quot;")
      plain += '"';
    else if (ent == "&apos;" || ent == "&#39;" || ent == "&#x27;")
      plain += '\'';
    else
      plain += ent;
    i = semi;
  }
  return plain;
}

std::string HiddenField(const std::string& html, const std::string& name) {
  std::string marker = "name=\"" + name + "\" value=\"";
  size_t pos = html.find(marker);
  if (pos == std::string::npos) return "";
  pos += marker.size();
  // The page escapes what it prints; a browser would post the unescaped value.
  return HtmlUnescape(html.substr(pos, html.find('"', pos) - pos));
}

LoginForm FetchLoginForm(int port, const std::string& return_to,
                         const std::string& source_address) {
  std::string target = "/web/login";
  if (!return_to.empty()) target += "?return_to=" + UrlEncode(return_to);
  HttpResponse r = Fetch(port, "GET", target, {}, "", source_address);
  if (r.status != 200) throw std::runtime_error("login page answered " + std::to_string(r.status));
  LoginForm form;
  for (const auto& [name, value] : r.SetCookies()) {
    if (name.find("oakgate_csrf") != std::string::npos) form.csrf_cookie = name + "=" + value;
  }
  form.csrf_token = HiddenField(r.body, "csrf");
  form.return_to = HiddenField(r.body, "return_to");
  return form;
}

HttpResponse PostLogin(int port, const LoginForm& form, const std::string& email,
                       const std::string& password, const std::string& extra_cookie,
                       const std::string& source_address) {
  std::string cookie = form.csrf_cookie;
  if (!extra_cookie.empty()) cookie += "; " + extra_cookie;
  std::string body = FormEncode({{"email", email},
                                 {"password", password},
                                 {"csrf", form.csrf_token},
                                 {"return_to", form.return_to}});
  return Fetch(port, "POST", "/web/login",
               {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie}}, body,
               source_address);
}

std::string LoginSession(int port, const std::string& email, const std::string& password) {
  HttpResponse r = PostLogin(port, FetchLoginForm(port), email, password);
  if (r.status != 303) throw std::runtime_error("login answered " + std::to_string(r.status));
  for (const auto& [name, value] : r.SetCookies()) {
    if (name.find("oakgate_session") != std::string::npos) return name + "=" + value;
  }
  throw std::runtime_error("login set no session cookie");
}

}  // namespace oakgate::test
