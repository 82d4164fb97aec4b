#pragma once
#include <string>

#include "gateway/handlers/web/web_context.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"

namespace oakgate::handlers::web {

// The CSRF binding of a form shown before sign-in (login, sign-up): the browser's CSRF cookie,
// or a new value (`fresh`) that SetBindingCookie sets on the page's response.
struct FormBinding {
  std::string value;
  bool fresh = false;
};
FormBinding PreSessionBinding(const WebContext& ctx, const http::Request& request);
void SetBindingCookie(const WebContext& ctx, const FormBinding& binding, http::Response& r);

// GET /web/login?return_to=PATH[&signed_up=1]
http::Response ShowLogin(const WebContext& ctx, const http::Request& request);
// POST /web/login (email, password, csrf, return_to)
http::Response SubmitLogin(const WebContext& ctx, const http::Request& request);

}  // namespace oakgate::handlers::web
