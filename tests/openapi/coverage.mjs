// openapi.routes: every route of the router's table is in docs/openapi.yaml, and everything the
// document describes is a route. The table comes from the real router: `oakgate routes` builds
// it with app::BuildRoutes, as `serve` does. It runs with every optional route switched on (an
// issuer with a path, the legacy JWT bridge with its exchange), so none escapes the check.
//   node coverage.mjs OPENAPI_YAML OAKGATE_BINARY
import { execFileSync } from "node:child_process";

import { METHODS, loadDocument } from "./lib.mjs";

const [file, binary] = process.argv.slice(2);
if (!file || !binary) {
  console.error("usage: node coverage.mjs OPENAPI_YAML OAKGATE_BINARY");
  process.exit(2);
}

// The HTML routes: pages and forms for browsers, left out of the API document on purpose (its
// info.description lists them). Nothing else may be missing from the document.
const HTML_ROUTES = new Set([
  "GET /", //                                   the home page
  "GET /favicon.ico", //                        the site's icon
  "GET /web/login", //                          the sign-in form
  "POST /web/login", //                         its submission (303 or the form again)
  "POST /web/logout", //                        a CSRF-protected form
  "GET /web/signup", //                         the sign-up form (CONTRACT §9)
  "POST /web/signup", //                        its submission (303 to login, or the form again)
  "GET /web/invitations/{token}", //            an invitation's page
  "POST /web/invitations/{token}", //           accepting it (CSRF-protected)
  "GET /oauth/authorize", //                    the authorization request: redirects and pages
  "POST /oauth/authorize", //                   the consent / confirmation form
]);
// Every page and form of the dashboard (server-rendered HTML behind the browser session).
const isHtmlRoute = (key) => HTML_ROUTES.has(key) || / \/dashboard(\/|$)/.test(key);

// The issuer path the table is built with: its discovery route becomes the document's
// /.well-known/oauth-authorization-server/{issuer_path}.
const ISSUER_PATH = "/openapi-coverage";
const out = execFileSync(binary, ["routes"], {
  encoding: "utf8",
  env: {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    OAKGATE_TEMPLATES_DIR: new URL("../../templates", import.meta.url).pathname,
    OAKGATE_ISSUER: `http://127.0.0.1:4000${ISSUER_PATH}`,
    OAKGATE_LEGACY_JWT_HS256_SECRET: "openapi-coverage-only-0123456789abcdef",
    OAKGATE_LEGACY_EXCHANGE_CLIENT: "legacy-exchange",
    // Named, never opened: `routes` builds the table without connecting.
    OAKGATE_DATABASE_URL: "postgresql:///oakgate-routes-never-connects",
  },
});
const routes = JSON.parse(out);

const served = new Set();
for (const { method, path } of routes) {
  const documented = path === `/.well-known/oauth-authorization-server${ISSUER_PATH}`
    ? "/.well-known/oauth-authorization-server/{issuer_path}"
    : path;
  served.add(`${method} ${documented}`);
}

const { spec, errors } = await loadDocument(file);
if (errors.length) {
  for (const e of errors) console.error(`FAIL ${e}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const described = new Set();
for (const [path, item] of Object.entries(spec.paths ?? {})) {
  for (const method of METHODS) if (item[method]) described.add(`${method.toUpperCase()} ${path}`);
}

const problems = [];
let checked = 0;
for (const key of served) {
  if (isHtmlRoute(key)) continue;
  checked += 1;
  if (!described.has(key)) problems.push(`${key} is served but docs/openapi.yaml does not describe it`);
}
for (const key of described) {
  if (!served.has(key)) problems.push(`${key} is described but the router has no such route`);
  if (isHtmlRoute(key)) problems.push(`${key} is an HTML route, listed as excluded: remove it from the exclusions`);
}
// The exclusions must name real routes, so a renamed page cannot leave a stale entry behind.
for (const key of HTML_ROUTES) {
  if (!served.has(key)) problems.push(`the excluded ${key} is not a route any more`);
}
if (routes.length < 40) problems.push(`oakgate routes listed only ${routes.length} routes`);

for (const p of problems) console.error(`FAIL ${p}`);
console.log(`${routes.length} routes in the router, ${checked} described, ${served.size - checked} HTML routes excluded`);
console.log(`${problems.length ? 0 : 1} passed, ${problems.length ? 1 : 0} failed`);
process.exit(problems.length ? 1 : 0);
