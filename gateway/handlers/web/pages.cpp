#include "gateway/handlers/web/pages.hpp"

#include <nlohmann/json.hpp>

#include "gateway/http/form.hpp"

namespace oakgate::handlers::web {

http::Response HtmlPage(int status, std::string body,
                        const std::vector<std::string>& form_action_origins) {
  std::string form_action = "'self'";
  for (const auto& origin : form_action_origins) form_action += " " + origin;
  http::Response r = http::Response::Html(status, std::move(body));
  r.Set("Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
        "form-action " +
            form_action + "; frame-ancestors 'none'");
  r.Set("X-Frame-Options", "DENY");
  r.Set("Referrer-Policy", "no-referrer");
  r.Set("Cache-Control", "no-store");
  return r;
}

http::Response ErrorPage(const render::Templates& templates, int status, std::string_view title,
                         std::string_view message, std::string_view error_code) {
  nlohmann::json view = {{"title", title}, {"message", message}};
  if (!error_code.empty()) view["error"] = error_code;
  return HtmlPage(status, templates.Render("error.html", view));
}

util::Result<http::Params, http::Response> ReadForm(const render::Templates& templates,
                                                    const http::Request& request,
                                                    std::string_view form_name) {
  if (request.MediaType() != "application/x-www-form-urlencoded") {
    return util::Fail(
        ErrorPage(templates, 415, "Unsupported form",
                  std::string(form_name) + " must be sent as application/x-www-form-urlencoded."));
  }
  http::FormError error;
  auto fields = http::ParseUrlEncoded(request.body, &error);
  if (!fields) return util::Fail(ErrorPage(templates, 400, "Bad request", error.description));
  if (auto repeated = fields->FirstRepeated()) {
    return util::Fail(ErrorPage(templates, 400, "Bad request", "field repeated: " + *repeated));
  }
  return std::move(*fields);
}

}  // namespace oakgate::handlers::web
