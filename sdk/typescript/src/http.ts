// One JSON request with the client's retry rules, over an undici Pool of kept-alive
// connections. guard() sits in front of every tool call an agent makes, so its own cost
// counts: node:http spends most of a small request in per-request objects (ClientRequest,
// IncomingMessage streams, header objects, agent bookkeeping) and tops out near a third of
// what the gateway answers; undici's dispatch() with a plain handler object costs about a
// third as much per request (tests/bench/sdk_guard, tests/bench/results.md).
import { Pool, type Dispatcher } from "undici";

import { OakGateConnectionError, OakGateTimeoutError, OakGateUnavailableError } from "./errors.js";
import {
  backoffDelay,
  defaultBackoff,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  type BackoffPolicy,
} from "./retry.js";

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

/** An answer of the gateway: status, body, and its headers read on demand. */
export class RawResponse {
  readonly status: number;
  /** The parsed JSON body, or undefined when the body was empty or not JSON. */
  readonly json: unknown;
  readonly text: string;
  // undici's raw name/value pairs; most answers are read for their body only, so they are
  // turned into strings when a header is asked for, not for every answer.
  readonly #raw: readonly Buffer[];

  constructor(status: number, raw: readonly Buffer[], text: string) {
    this.status = status;
    this.#raw = raw;
    this.text = text;
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    this.json = json;
  }

  /** The first value of header `name` (lower case), as node:http keeps for these headers. */
  header(name: string): string | undefined {
    const raw = this.#raw;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const n = raw[i] as Buffer;
      if (n.length === name.length && n.toString("latin1").toLowerCase() === name) return (raw[i + 1] as Buffer).toString("latin1");
    }
    return undefined;
  }
}

export class Transport {
  readonly #options: TransportOptions;
  // Created on first use, and again after close(): as with node:http's agent before it, a
  // closed client still works, on new connections.
  #pool: Pool | undefined;
  // Header lists built once: undici takes flat [name, value, ...] arrays as they are.
  readonly #plainHeaders: readonly string[];
  readonly #jsonHeaders: readonly string[];

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#plainHeaders = ["accept", "application/json", "user-agent", options.userAgent];
    this.#jsonHeaders = [...this.#plainHeaders, "content-type", "application/json"];
  }

  /**
   * Closes the pooled connections once the requests in flight have their answers (or run
   * out of time): a call is never failed by a close() made elsewhere. Resolves once closed.
   */
  close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    return pool ? pool.close().catch(() => undefined) : Promise.resolve();
  }

  #newPool(): Pool {
    // One connection per request in flight, no pipelining: a request never waits behind
    // another's answer, and a failed connection takes no other request with it. undici
    // unrefs idle connections, so an open pool does not keep the process alive. Its own
    // header and body timeouts (300 s) are off: each attempt's timer, inside timeoutMs, is
    // the one limit, and undici would otherwise re-arm two timers per request for nothing.
    return new Pool(this.#options.baseUrl.origin, {
      connections: this.#options.maxSockets ?? 64,
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  /**
   * Sends the request, retrying network errors and 503 + Retry-After up to `retries` times,
   * all inside `timeoutMs` (the client's, unless the call brings its own: a long-poll that
   * the gateway holds for N seconds needs N seconds more). `headers` (flat name/value pairs)
   * may hold credentials: they are sent and never copied into an error.
   */
  async request(
    method: "GET" | "POST",
    path: string,
    headers: readonly string[],
    body?: unknown,
    timeoutMs: number = this.#options.timeoutMs,
  ): Promise<RawResponse> {
    const { retries } = this.#options;
    const deadline = Date.now() + timeoutMs;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const base = payload === undefined ? this.#plainHeaders : this.#jsonHeaders;
    const allHeaders = headers.length === 0 ? base : base.concat(headers);
    for (let attempt = 0; ; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new OakGateTimeoutError(timeoutMs);
      let response: RawResponse | undefined;
      let failure: OakGateConnectionError | undefined;
      try {
        response = await this.#once(method, path, allHeaders, payload, timeoutMs, remaining);
      } catch (e) {
        if (!(e instanceof OakGateConnectionError)) throw e;
        failure = e;
      }
      let retryAfter: number | undefined;
      if (response) {
        // Only a 503 can be retried: the header is read for nothing else.
        if (response.status !== 503) return response;
        retryAfter = parseRetryAfter(response.header("retry-after"));
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

  #once(
    method: "GET" | "POST",
    path: string,
    headers: readonly string[],
    payload: string | undefined,
    timeoutMs: number,
    timeout: number,
  ): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const attempt = new Attempt(resolve, reject, timeoutMs, timeout);
      (this.#pool ??= this.#newPool()).dispatch({ method, path, headers: headers as string[], body: payload ?? null }, attempt);
    });
  }
}

/**
 * undici's handler for one attempt: collects the answer, and owns the attempt's timer. A
 * class rather than closures, so an attempt is one object. When the time runs out the
 * promise is rejected at once, and the request is aborted (its connection closed, as an
 * HTTP/1.1 exchange cannot be cut short otherwise) now or, if it still waits for a free
 * connection, as soon as undici hands it one.
 */
class Attempt implements Dispatcher.DispatchHandlers {
  #resolve: (r: RawResponse) => void;
  #reject: (e: Error) => void;
  #timer: NodeJS.Timeout;
  #timeoutMs: number;
  #abort: ((err?: Error) => void) | undefined;
  #settled = false;
  #status = 0;
  #raw: Buffer[] = [];
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(resolve: (r: RawResponse) => void, reject: (e: Error) => void, timeoutMs: number, timeout: number) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#timeoutMs = timeoutMs;
    this.#timer = setTimeout(Attempt.#expire, timeout, this);
  }

  static #expire(a: Attempt): void {
    const e = new OakGateTimeoutError(a.#timeoutMs);
    if (a.#fail(e)) a.#abort?.(e);
  }

  #fail(e: Error): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#reject(e);
    return true;
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#settled) abort(new OakGateTimeoutError(this.#timeoutMs));
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, headers: Buffer[]): boolean {
    // Called again after a 1xx: the last call is the answer.
    this.#status = statusCode;
    this.#raw = headers;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#size += chunk.length;
    if (this.#size > MAX_BODY_BYTES) {
      if (this.#fail(new OakGateConnectionError("oakgate answered with a body that is too large", undefined))) this.#abort?.();
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    const chunks = this.#chunks;
    const text = chunks.length === 0 ? "" : (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString("utf8");
    this.#resolve(new RawResponse(this.#status, this.#raw, text));
  }

  onError(err: Error): void {
    this.#fail(networkError(err as NodeJS.ErrnoException));
  }
}

// undici's and Node's errors name the host and port at most, never a header; the error is
// kept as `cause`. A connection closed before the answer is `UND_ERR_SOCKET` in undici and
// was `ECONNRESET` ("socket hang up") in node:http: callers see the code they always saw.
function networkError(e: NodeJS.ErrnoException): OakGateConnectionError {
  const code = e.code === "UND_ERR_SOCKET" ? "ECONNRESET" : e.code;
  return new OakGateConnectionError(`could not reach oakgate: ${code ?? e.message}`, code, e);
}
