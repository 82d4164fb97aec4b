#pragma once
// Browser-like steps over HTTP: fetch the login form (CSRF cookie and token) and post it.
#include <string>

#include "tests/support/http_client.hpp"

namespace oakgate::test {

struct LoginForm {
  std::string csrf_cookie;  // "oakgate_csrf=..."
  std::string csrf_token;
  std::string return_to;  // the hidden field as rendered
};

// Undoes the HTML escaping of a template ({{x}}): &amp; &lt; &gt; &quot; &apos;.
std::string HtmlUnescape(const std::string& value);
// The value of <input name="NAME" value="..."> in an HTML page, unescaped ("" when absent).
std::string HiddenField(const std::string& html, const std::string& name);
LoginForm FetchLoginForm(int port, const std::string& return_to = "",
                         const std::string& source_address = "");
HttpResponse PostLogin(int port, const LoginForm& form, const std::string& email,
                       const std::string& password, const std::string& extra_cookie = "",
                       const std::string& source_address = "");
// Logs in and returns the session cookie as "name=value" (throws on failure).
std::string LoginSession(int port, const std::string& email, const std::string& password);

}  // namespace oakgate::test
