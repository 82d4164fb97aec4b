// One JSON request with the client's retry rules, over node:http(s) with a keep-alive pool
// (a fresh TCP connection per validation would cost more than the validation itself).
import http from "node:http";
import https from "node:https";

import { OakGateConnectionError, OakGateTimeoutError, OakGateUnavailableError } from "./errors.js";
import {
  backoffDelay,
  defaultBackoff,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  type BackoffPolicy,
} from "./retry.js";

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when the body was empty or not JSON. */
  json: unknown;
  text: string;
}

export interface TransportOptions {
  baseUrl: URL;
  timeoutMs: number;
  retries: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Connections kept open to the gateway; also the most requests in flight at once. */
  maxSockets?: number;
  userAgent: string;
}

const MAX_BODY_BYTES = 1 << 20;

function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export class Transport {
  readonly #options: TransportOptions;
  readonly #agent: http.Agent;
  readonly #module: typeof http | typeof https;

  constructor(options: TransportOptions) {
    this.#options = options;
    const https_ = options.baseUrl.protocol === "https:";
    this.#module = https_ ? https : http;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, scheduling: "lifo" as const };
    this.#agent = https_ ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /** Closes the pooled connections (a process with an open pool still exits). */
  close(): void {
    this.#agent.destroy();
  }

  /**
   * Sends the request, retrying network errors and 503 + Retry-After up to `retries` times,
   * all inside `timeoutMs`. `headers` may hold credentials: they are sent and never copied
   * into an error.
   */
  async request(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<RawResponse> {
    const { timeoutMs, retries } = this.#options;
    const deadline = Date.now() + timeoutMs;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    for (let attempt = 0; ; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new OakGateTimeoutError(timeoutMs);
      let response: RawResponse | undefined;
      let failure: OakGateConnectionError | undefined;
      try {
        response = await this.#once(method, path, headers, payload, remaining);
      } catch (e) {
        if (!(e instanceof OakGateConnectionError)) throw e;
        failure = e;
      }
      let retryAfter: number | undefined;
      if (response) {
        retryAfter = parseRetryAfter(header(response.headers, "retry-after"));
        if (!isRetryableStatus(response.status, retryAfter)) return response;
      } else if (!isRetryableNetworkError(failure?.code)) {
        throw failure;
      }
      const final = (): Error => {
        if (failure) return failure;
        const r = response as RawResponse;
        const error = (r.json as { error?: unknown } | undefined)?.error;
        return new OakGateUnavailableError(r.status, typeof error === "string" ? error : undefined, r.json, retryAfter);
      };
      if (attempt >= retries) throw final();
      const wait = backoffDelay(attempt, this.#options.backoff ?? defaultBackoff, this.#options.random, retryAfter);
      // A wait that would end past the deadline cannot lead to an answer in time.
      if (Date.now() + wait >= deadline) throw final();
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  #once(method: string, path: string, headers: Record<string, string>, payload: Buffer | undefined, timeout: number): Promise<RawResponse> {
    const url = new URL(path, this.#options.baseUrl);
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const req = this.#module.request(
        url,
        {
          method,
          agent: this.#agent,
          headers: {
            Accept: "application/json",
            "User-Agent": this.#options.userAgent,
            ...(payload ? { "Content-Type": "application/json", "Content-Length": String(payload.length) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY_BYTES) {
              res.destroy();
              finish(() => reject(new OakGateConnectionError("oakgate answered with a body that is too large", undefined)));
              return;
            }
            chunks.push(c);
          });
          res.on("error", (e: NodeJS.ErrnoException) => finish(() => reject(networkError(e))));
          res.on("end", () =>
            finish(() => {
              const text = Buffer.concat(chunks).toString("utf8");
              let json: unknown;
              try {
                json = text ? JSON.parse(text) : undefined;
              } catch {
                json = undefined;
              }
              resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
            }),
          );
        },
      );
      const timer = setTimeout(() => {
        finish(() => reject(new OakGateTimeoutError(this.#options.timeoutMs)));
        req.destroy();
      }, timeout);
      req.on("error", (e: NodeJS.ErrnoException) => finish(() => reject(networkError(e))));
      req.end(payload);
    });
  }
}

// Node's error names the host and port at most, never a header; it is kept as `cause`.
function networkError(e: NodeJS.ErrnoException): OakGateConnectionError {
  const code = e.code ?? (e.message === "socket hang up" ? "ECONNRESET" : undefined);
  return new OakGateConnectionError(`could not reach oakgate: ${code ?? e.message}`, code, e);
}
