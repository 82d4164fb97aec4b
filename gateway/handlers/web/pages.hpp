#pragma once
// HTML responses with the headers every page carries (CONTRACT §3).
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http/params.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/render/templates.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::handlers::web {

// `form_action_origins` are added to CSP form-action beside 'self': browsers apply
// form-action to every redirect after a form POST, so a page that is part of an
// authorization request must allow its redirect URI's origin.
http::Response HtmlPage(int status, std::string body,
                        const std::vector<std::string>& form_action_origins = {});

http::Response ErrorPage(const render::Templates& templates, int status, std::string_view title,
                         std::string_view message, std::string_view error_code = "");

// The fields of a browser's form POST; else the page to answer: 415 unless it is
// application/x-www-form-urlencoded ("`form_name` must be sent as ..."), 400 when it does not
// parse or repeats a field.
util::Result<http::Params, http::Response> ReadForm(const render::Templates& templates,
                                                    const http::Request& request,
                                                    std::string_view form_name = "The form");

}  // namespace oakgate::handlers::web
