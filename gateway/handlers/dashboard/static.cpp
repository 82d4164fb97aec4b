// GET /dashboard/static/dashboard.js: the dashboard's only script, served by the gateway
// itself (CSP script-src 'self', no inline script). It shows the copy buttons, which stay
// hidden without it: the key is then still in a read-only field to select and copy by hand.
#include "gateway/handlers/dashboard/pages.hpp"

namespace oakgate::handlers::dashboard {
namespace {

constexpr const char* kScript = R"js('use strict';
document.querySelectorAll('[data-copy]').forEach(function (button) {
  var field = document.getElementById(button.getAttribute('data-copy'));
  var status = document.getElementById('copy-status');
  if (!field) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    field.focus();
    field.select();
    var done = function () { if (status) status.textContent = 'Copied the whole key.'; };
    var manual = function () { if (status) status.textContent = 'Selected: press Ctrl+C to copy.'; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, manual);
    } else {
      manual();
    }
  });
});
)js";

}  // namespace

http::Response DashboardScript(http::Request&) {
  http::Response r = http::Response::Text(200, kScript);
  r.Set("Content-Type", "text/javascript; charset=utf-8");
  r.Set("Cache-Control", "no-cache");
  return r;
}

}  // namespace oakgate::handlers::dashboard
