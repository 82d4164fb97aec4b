// openapi.traffic: every response the e2e suites received from a route docs/openapi.yaml
// describes matches the document: its status is one the operation lists, its body is valid
// against that response's schema (Ajv, draft 2020-12, the OpenAPI 3.1 dialect), and the
// headers the document marks required are there and match. The suites record what they saw
// (tests/support/http_client.cpp, one JSON object a line, when OAKGATE_TEST_HTTP_RECORD names a
// file); ctest runs this once they are all done (the cleanup of the openapi_traffic fixture).
//   node validate_traffic.mjs OPENAPI_YAML TRAFFIC_JSONL
import { existsSync, readFileSync } from "node:fs";

import { loadDocument, matchPath, mediaTypeOf, newAjv, responseFor } from "./lib.mjs";

const [file, traffic] = process.argv.slice(2);
if (!file || !traffic) {
  console.error("usage: node validate_traffic.mjs OPENAPI_YAML TRAFFIC_JSONL");
  process.exit(2);
}

const { resolved, errors } = await loadDocument(file);
if (errors.length) {
  for (const e of errors) console.error(`FAIL ${e}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const ajv = newAjv();
const compiled = new Map();
function validatorFor(key, schema) {
  if (!compiled.has(key)) compiled.set(key, ajv.compile(schema));
  return compiled.get(key);
}

const lines = existsSync(traffic) ? readFileSync(traffic, "utf8").split("\n").filter(Boolean) : [];
const failures = new Map(); // one message per distinct problem, with how often and where
let validated = 0;
let undescribed = 0;
let byNginx = 0;
const operations = new Set();

function fail(record, route, message) {
  const key = `${route}: ${message}`;
  const seen = failures.get(key);
  if (seen) {
    seen.count += 1;
  } else {
    failures.set(key, { count: 1, test: record.test ?? "?", target: record.target });
  }
}

for (const line of lines) {
  let record;
  try {
    record = JSON.parse(line);
  } catch {
    // A line cut short (a suite killed mid-write) is not a response to judge.
    continue;
  }
  // An answer of Nginx itself (the blue/green suites go through it: its public server hides
  // /readyz and /metrics with its own HTML 404) is not the gateway's; the gateway never answers
  // a described route with HTML.
  const seen = record.headers ?? {};
  if (String(seen.server ?? "").startsWith("nginx") &&
      mediaTypeOf(seen["content-type"]) === "text/html") {
    byNginx += 1;
    continue;
  }
  const path = record.target.split("?")[0];
  const template = matchPath(resolved.paths, path);
  const method = record.method.toLowerCase() === "head" ? "get" : record.method.toLowerCase();
  const operation = template ? resolved.paths[template][method] : undefined;
  if (!operation) {
    undescribed += 1;
    continue;
  }
  const route = `${record.method} ${template}`;
  validated += 1;
  operations.add(`${method.toUpperCase()} ${template}`);
  const response = responseFor(operation, record.status);
  if (!response) {
    fail(record, route, `status ${record.status} is not described (body: ${String(record.body ?? "").slice(0, 200)})`);
    continue;
  }
  const headers = record.headers ?? {};
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const value = headers[name.toLowerCase()];
    if (value === undefined) {
      if (header.required) fail(record, route, `${record.status}: the required header ${name} is missing`);
      continue;
    }
    if (header.schema) {
      const validate = validatorFor(`${route} ${record.status} header ${name}`, header.schema);
      if (!validate(value)) {
        fail(record, route, `${record.status}: header ${name}: ${ajv.errorsText(validate.errors, { dataVar: name })} (got ${JSON.stringify(value)})`);
      }
    }
  }
  if (record.method === "HEAD") continue;
  const body = record.body ?? "";
  const content = response.content ?? {};
  if (Object.keys(content).length === 0) {
    if (body.length > 0) fail(record, route, `${record.status}: the document describes no body, got ${JSON.stringify(body.slice(0, 200))}`);
    continue;
  }
  const type = mediaTypeOf(headers["content-type"]);
  const media = content[type];
  if (!media) {
    fail(record, route, `${record.status}: content type ${JSON.stringify(type)} is not one of ${Object.keys(content).join(", ")}`);
    continue;
  }
  if (!media.schema) continue;
  let data = body;
  if (type === "application/json") {
    try {
      data = JSON.parse(body);
    } catch (e) {
      fail(record, route, `${record.status}: the body is not JSON: ${e.message}`);
      continue;
    }
  }
  const validate = validatorFor(`${route} ${record.status} ${type}`, media.schema);
  if (!validate(data)) {
    fail(record, route, `${record.status}: ${ajv.errorsText(validate.errors, { dataVar: "body" })} (body: ${body.slice(0, 300)})`);
  }
}

for (const [message, where] of failures) {
  console.error(`FAIL ${message}\n     ${where.count} response(s), first in ${where.test} (${where.target.slice(0, 120)})`);
}
console.log(`${lines.length} recorded responses (${traffic}): ${validated} validated against docs/openapi.yaml on ${operations.size} operations, ${undescribed} on routes it does not describe (HTML pages, unknown paths), ${byNginx} answered by Nginx itself`);
if (lines.length === 0) console.log("nothing was recorded: run e2e suites with OAKGATE_TEST_HTTP_RECORD (ctest does)");
console.log(`${validated - [...failures.values()].reduce((n, f) => n + f.count, 0)} passed, ${[...failures.values()].reduce((n, f) => n + f.count, 0)} failed`);
process.exit(failures.size ? 1 : 0);
