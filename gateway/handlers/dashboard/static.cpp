// GET /dashboard/static/dashboard.js: the dashboard's only script, served by the gateway
// itself (CSP script-src 'self', no inline script). It shows the copy buttons, which stay
// hidden without it: the key is then still in a read-only field to select and copy by hand.
// It also empties a shown key's field when its page is left, so a page kept in the
// back/forward cache (which may keep even no-store pages) comes back saying "shown once".
//
// GET /favicon.ico: a 32x32 icon (PNG in ICO), so no page's first load fails on it.
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
    var copied = button.getAttribute('data-copied') || 'Copied the whole key.';
    var done = function () { if (status) status.textContent = copied; };
    var manual = function () { if (status) status.textContent = 'Selected: press Ctrl+C to copy.'; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, manual);
    } else {
      manual();
    }
  });
});
document.querySelectorAll('[data-shown-once]').forEach(function (field) {
  var forget = function () {
    field.value = '';
    var reveal = document.getElementById('reveal');
    if (reveal) reveal.hidden = true;
    var notice = document.getElementById(field.getAttribute('data-shown-once'));
    if (notice) notice.hidden = false;
  };
  window.addEventListener('pagehide', forget);
  window.addEventListener('pageshow', function (e) { if (e.persisted) forget(); });
});
)js";

// Generated once: a white ring on the dashboard header's green, rounded corners.
constexpr unsigned char kFavicon[] = {
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x20, 0x20, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0xb0, 0x00,
    0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00,
    0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x08, 0x06,
    0x00, 0x00, 0x00, 0x73, 0x7a, 0x7a, 0xf4, 0x00, 0x00, 0x00, 0x77, 0x49, 0x44, 0x41, 0x54, 0x78,
    0xda, 0x63, 0x60, 0x80, 0x02, 0x79, 0x7b, 0xfd, 0xff, 0xf4, 0xc4, 0x0c, 0xc8, 0x80, 0xde, 0x96,
    0xa3, 0x38, 0x62, 0xa0, 0x2c, 0x87, 0x3b, 0x62, 0xd4, 0x01, 0xe4, 0x68, 0xc2, 0x05, 0x68, 0xea,
    0x00, 0x52, 0x01, 0x55, 0x1d, 0x40, 0x2e, 0xa0, 0x8a, 0x03, 0x28, 0x05, 0x14, 0x39, 0x80, 0x5a,
    0x80, 0x2c, 0x07, 0x90, 0x63, 0x20, 0x39, 0x7a, 0x48, 0x72, 0x00, 0x25, 0x09, 0x76, 0x68, 0x39,
    0x80, 0x1a, 0x79, 0x9c, 0x58, 0x33, 0x46, 0x1d, 0x30, 0xea, 0x80, 0xc1, 0xe9, 0x80, 0xd1, 0x72,
    0x60, 0x50, 0x14, 0xc5, 0x03, 0x5e, 0x19, 0x0d, 0x8a, 0xea, 0x78, 0x50, 0x34, 0x48, 0x06, 0x45,
    0x93, 0x6c, 0x50, 0x34, 0x4a, 0x47, 0xfb, 0x05, 0xc3, 0xb2, 0x7f, 0x38, 0xa0, 0x3d, 0x64, 0x98,
    0xbd, 0x00, 0x4e, 0x8d, 0x97, 0xa9, 0x63, 0xfe, 0xed, 0x8a, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

}  // namespace

http::Response DashboardScript(http::Request&) {
  http::Response r = http::Response::Text(200, kScript);
  r.Set("Content-Type", "text/javascript; charset=utf-8");
  r.Set("Cache-Control", "no-cache");
  return r;
}

http::Response Favicon(http::Request&) {
  http::Response r = http::Response::Text(
      200, std::string(reinterpret_cast<const char*>(kFavicon), sizeof(kFavicon)));
  r.Set("Content-Type", "image/x-icon");
  // The icon changes only with a release, if ever: 30 days spares every later page the
  // request; a new icon shows once the browser's copy ages out.
  r.Set("Cache-Control", "public, max-age=2592000");
  r.Set("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace oakgate::handlers::dashboard
