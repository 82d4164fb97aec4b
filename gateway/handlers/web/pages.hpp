#pragma once
// HTML responses with the headers every page carries (CONTRACT §3).
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/render/templates.hpp"

namespace oakgate::handlers::web {

// `form_action_origins` are added to CSP form-action beside 'self': browsers apply
// form-action to every redirect after a form POST, so a page that is part of an
// authorization request must allow its redirect URI's origin.
http::Response HtmlPage(int status, std::string body,
                        const std::vector<std::string>& form_action_origins = {});

http::Response ErrorPage(const render::Templates& templates, int status, std::string_view title,
                         std::string_view message, std::string_view error_code = "");

}  // namespace oakgate::handlers::web
