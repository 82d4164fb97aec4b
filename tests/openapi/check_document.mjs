// openapi.document: docs/openapi.yaml is a valid OpenAPI 3.1 document (the official schema,
// through @seriousme/openapi-schema-validator), every $ref resolves, every schema compiles
// under Ajv's strict draft 2020-12, and every example of a request or response body is valid
// against its own schema, so the examples a reader copies are right.
//   node check_document.mjs docs/openapi.yaml
import { METHODS, loadDocument, newAjv } from "./lib.mjs";

const file = process.argv[2];
if (!file) {
  console.error("usage: node check_document.mjs OPENAPI_YAML");
  process.exit(2);
}

const { resolved, errors } = await loadDocument(file);
const problems = [...errors];
let examples = 0;
let schemas = 0;

if (resolved) {
  const ajv = newAjv();
  const check = (where, media) => {
    if (!media?.schema) return;
    let validate;
    try {
      validate = ajv.compile(media.schema);
      schemas += 1;
    } catch (e) {
      problems.push(`${where}: the schema does not compile: ${e.message}`);
      return;
    }
    const cases = [];
    if ("example" in media) cases.push(["example", media.example]);
    for (const [name, ex] of Object.entries(media.examples ?? {})) cases.push([`examples.${name}`, ex.value]);
    for (const [name, value] of cases) {
      examples += 1;
      if (!validate(value)) {
        problems.push(`${where} ${name}: ${ajv.errorsText(validate.errors, { dataVar: "example" })}`);
      }
    }
  };
  for (const [path, item] of Object.entries(resolved.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (!op.operationId) problems.push(`${method.toUpperCase()} ${path}: no operationId`);
      if (!op.responses || Object.keys(op.responses).length === 0) {
        problems.push(`${method.toUpperCase()} ${path}: no responses`);
      }
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        check(`${method.toUpperCase()} ${path} request ${type}`, media);
      }
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          check(`${method.toUpperCase()} ${path} ${status} ${type}`, media);
        }
        // Error statuses always say what the body is (CONTRACT §8: every error is JSON).
        if (Number(status) >= 400 && !response.content?.["application/json"]) {
          problems.push(`${method.toUpperCase()} ${path} ${status}: an error response without an application/json body`);
        }
      }
    }
  }
}

for (const p of problems) console.error(`FAIL ${p}`);
console.log(`${file}: OpenAPI ${problems.length ? "invalid" : "3.1, valid"}; ${schemas} schemas compiled, ${examples} examples checked`);
console.log(`${problems.length ? 0 : 1} passed, ${problems.length ? 1 : 0} failed`);
process.exit(problems.length ? 1 : 0);
