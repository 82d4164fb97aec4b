// Shared by the OpenAPI checks: loading docs/openapi.yaml through a maintained OpenAPI
// validator (@seriousme/openapi-schema-validator, which checks it against the official
// OpenAPI 3.1 schema and resolves its $refs), compiling its JSON Schemas with Ajv's draft
// 2020-12 validator (the dialect of OpenAPI 3.1), and finding the operation a request hits.
import { readFileSync } from "node:fs";

import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import YAML from "yaml";

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;

export const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

// The document, checked against the OpenAPI 3.1 schema. Returns { spec, resolved, errors }:
// `spec` as written, `resolved` with every $ref replaced by its target.
export async function loadDocument(path) {
  const text = readFileSync(path, "utf8");
  // Parsed here too, so a YAML error names its line rather than failing inside the validator.
  const spec = YAML.parse(text, { prettyErrors: true });
  const validator = new Validator();
  const result = await validator.validate(spec);
  const errors = [];
  if (!result.valid) {
    for (const e of [].concat(result.errors ?? [])) {
      errors.push(`${e.instancePath || "/"}: ${e.message ?? JSON.stringify(e)}${e.params ? " " + JSON.stringify(e.params) : ""}`);
    }
    return { spec, resolved: null, errors };
  }
  if (validator.version !== "3.1") errors.push(`expected OpenAPI 3.1, found ${validator.version}`);
  const resolved = validator.resolveRefs();
  return { spec, resolved, errors };
}

// Ajv for the document's schemas: strict, so a misspelt keyword is an error rather than a
// schema that silently accepts everything; the OpenAPI-only keywords are declared.
export function newAjv() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false });
  addFormats(ajv);
  ajv.addVocabulary(["example", "discriminator", "xml", "externalDocs"]);
  return ajv;
}

function segments(path) {
  return path.split("/").slice(1);
}

// The document's path template for a concrete request path, literal segments preferred over
// parameters (as the router's table never has both for one path), or null.
export function matchPath(paths, requestPath) {
  const parts = segments(requestPath);
  let best = null;
  let bestLiterals = -1;
  for (const template of Object.keys(paths)) {
    const t = segments(template);
    if (t.length !== parts.length) continue;
    let literals = 0;
    let ok = true;
    for (let i = 0; i < t.length; ++i) {
      if (/^\{[^}]+\}$/.test(t[i])) {
        if (parts[i] === "") ok = false;
      } else if (t[i] === parts[i]) {
        literals += 1;
      } else {
        ok = false;
      }
      if (!ok) break;
    }
    if (ok && literals > bestLiterals) {
      best = template;
      bestLiterals = literals;
    }
  }
  return best;
}

// The response object for a status: exact code first, then the range (`4XX`), then `default`.
export function responseFor(operation, status) {
  const responses = operation.responses ?? {};
  return responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default ?? null;
}

export function mediaTypeOf(contentType) {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}
