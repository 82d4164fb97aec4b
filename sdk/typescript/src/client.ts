// OakGate: validate and guard an agent's tool calls against /v1/validate.
import { ApprovalWait, MAX_WAIT_SECONDS } from "./approval.js";
import {
  OakGateApiError,
  OakGateApprovalPendingError,
  OakGateAuthError,
  OakGateDeniedError,
  OakGateError,
  OakGateRateLimitedError,
  OakGateConnectionError,
  OakGateTimeoutError,
} from "./errors.js";
import { Transport, type RawResponse } from "./http.js";
import { parseRetryAfter, type BackoffPolicy } from "./retry.js";
import {
  isPending,
  type AllowedDecision,
  type Approval,
  type Decision,
  type GuardOptions,
  type HealthStatus,
  type PendingDecision,
  type ValidateRequest,
} from "./types.js";
import { VERSION } from "./version.js";

export interface OakGateOptions {
  /** The agent's key, `pk_<id>.sk_<secret>`. Defaults to `$OAKGATE_API_KEY`. */
  apiKey?: string;
  /** Defaults to `$OAKGATE_URL`, else `http://127.0.0.1:4000`. */
  baseUrl?: string;
  /** Budget for one call, all retries and waits included. Default 5000. */
  timeoutMs?: number;
  /** Further attempts after a network error or a 503 with Retry-After. Default 2. */
  retries?: number;
  /** Connections kept open to the gateway. Default 64. */
  maxSockets?: number;
  /** Backoff between retries (full jitter). Default base 100 ms, cap 2000 ms. */
  backoff?: BackoffPolicy;
}

const KEY_FORMAT = /^pk_[A-Za-z0-9]{16}\.sk_[A-Za-z0-9_-]{43}$/;

export class OakGate {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly retries: number;
  // Private so that neither console.log(client) nor JSON.stringify(client) shows it.
  readonly #apiKey: string;
  readonly #keyHeader: readonly string[];
  readonly #transport: Transport;

  constructor(options: OakGateOptions = {}) {
    const apiKey = options.apiKey ?? process.env["OAKGATE_API_KEY"];
    if (!apiKey) throw new OakGateError("OakGate needs an apiKey (or OAKGATE_API_KEY)");
    // The message says what is wrong with the key, never what the key is.
    if (!KEY_FORMAT.test(apiKey)) throw new OakGateError("apiKey is not an oakgate API key (pk_<id>.sk_<secret>)");
    this.#apiKey = apiKey;
    this.#keyHeader = ["x-api-key", apiKey];
    this.baseUrl = (options.baseUrl ?? process.env["OAKGATE_URL"] ?? "http://127.0.0.1:4000").replace(/\/+$/, "");
    let url: URL;
    try {
      url = new URL(this.baseUrl + "/");
    } catch {
      throw new OakGateError(`baseUrl is not a URL: ${this.baseUrl}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new OakGateError("baseUrl must be http or https");
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 2;
    if (!(this.timeoutMs > 0)) throw new OakGateError("timeoutMs must be positive");
    if (!Number.isInteger(this.retries) || this.retries < 0) throw new OakGateError("retries must be a whole number >= 0");
    this.#transport = new Transport({
      baseUrl: url,
      timeoutMs: this.timeoutMs,
      retries: this.retries,
      userAgent: `oakgate-node/${VERSION} node/${process.versions.node}`,
      ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}),
      ...(options.backoff !== undefined ? { backoff: options.backoff } : {}),
    });
  }

  /** The public half of the key (`pk_<id>`), safe to log. */
  get keyId(): string {
    return this.#apiKey.slice(0, this.#apiKey.indexOf("."));
  }

  /**
   * Asks the gateway whether the agent may use `tool` with `scope`. Resolves with the
   * decision, allowed or denied (or pending a human's approval); throws
   * OakGateRateLimitedError on 429, OakGateAuthError on 401, OakGateApiError on other
   * errors, and OakGateConnectionError / OakGateTimeoutError when the gateway cannot answer.
   */
  async validate(request: ValidateRequest): Promise<Decision> {
    const body: Record<string, unknown> = { tool: request.tool, scope: request.scope };
    if (request.reasoning !== undefined) body["reasoning"] = request.reasoning;
    if (request.context !== undefined) body["context"] = request.context;
    if (request.approvalId !== undefined) body["approval_id"] = request.approvalId;
    const r = await this.#transport.request("POST", "/v1/validate", this.#keyHeader, body);
    if ((r.status === 200 || r.status === 202) && isObject(r.json) && typeof r.json["allowed"] === "boolean") {
      return r.json as unknown as Decision;
    }
    throw errorFor(r);
  }

  /**
   * GET /v1/approvals/{id}: where the approval of an `ask` rule's call stands. With
   * `waitSeconds` (0..30) the gateway holds the answer until the status changes or that
   * many seconds pass; this call's time budget is `timeoutMs` plus that hold. Throws
   * OakGateApiError (status 404) for an unknown id or another agent's, and the errors of
   * validate().
   */
  async getApproval(approvalId: string, options: { waitSeconds?: number } = {}): Promise<Approval> {
    const wait = options.waitSeconds ?? 0;
    if (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_SECONDS) {
      throw new OakGateError(`waitSeconds must be a whole number from 0 to ${MAX_WAIT_SECONDS}`);
    }
    if (typeof approvalId !== "string" || approvalId === "") throw new OakGateError("approvalId must be a non-empty string");
    const path = `/v1/approvals/${encodeURIComponent(approvalId)}${wait > 0 ? `?wait=${wait}` : ""}`;
    const r = await this.#transport.request("GET", path, this.#keyHeader, undefined, this.timeoutMs + wait * 1000);
    if (r.status === 200 && isObject(r.json) && typeof r.json["status"] === "string") return r.json as unknown as Approval;
    throw errorFor(r);
  }

  /**
   * Resolves with the allowed decision, or throws: OakGateApprovalPendingError when a human
   * must approve first (an `ask` rule) and `waitForApproval` is not given or runs out,
   * OakGateDeniedError for any other denial (a human's included: `approval_denied`,
   * `approval_expired`, `approval_used`), and the errors of validate(). With
   * `waitForApproval` it long-polls the approval in rounds of at most 30 s and, once it is
   * approved, validates again with it: that second decision is the one that counts.
   */
  async authorize(request: ValidateRequest, options: GuardOptions = {}): Promise<AllowedDecision> {
    const wait = options.waitForApproval ? new ApprovalWait(waitBudget(options.waitForApproval.timeoutMs)) : undefined;
    let decision = await this.validate(request);
    let approval: Approval | null = null;
    while (isPending(decision)) {
      const pending: PendingDecision = decision;
      const seconds = wait?.nextRound();
      if (seconds === undefined) throw pendingErrorFor(pending, request, approval);
      options.waitForApproval?.onWait?.(pending);
      approval = await this.getApproval(pending.approval_id, { waitSeconds: seconds });
      if (approval.status === "pending") continue;
      // A human denied it, or it expired or was used while this call waited: the reasons
      // the gateway gives a validate that brings such an approval (CONTRACT §10).
      if (approval.status !== "approved") throw deniedErrorFor(pending, request, approval, `approval_${approval.status}`);
      decision = await this.validate({ ...request, approvalId: pending.approval_id });
      // Approved, yet pending again on the same approval: waiting more would only repeat this.
      if (isPending(decision) && decision.approval_id === pending.approval_id) throw pendingErrorFor(decision, request, approval);
    }
    if (!decision.allowed) throw deniedErrorFor(decision, request, approval);
    return decision;
  }

  /**
   * Runs `action` only when the gateway allows the call, and resolves with its result;
   * otherwise throws as authorize() does (OakGateDeniedError, OakGateApprovalPendingError,
   * or the errors of validate()). The allowed decision is passed to `action`. With
   * `{ waitForApproval: { timeoutMs } }` a call that needs a human's approval waits for it.
   */
  async guard<T>(
    request: ValidateRequest,
    action: (decision: AllowedDecision) => T | Promise<T>,
    options: GuardOptions = {},
  ): Promise<T> {
    return await action(await this.authorize(request, options));
  }

  /** GET /healthz: `ok` when the gateway process answers 200. */
  async healthcheck(): Promise<HealthStatus> {
    try {
      const r = await this.#transport.request("GET", "/healthz", []);
      return { ok: r.status === 200, status: r.status };
    } catch (e) {
      if (e instanceof OakGateConnectionError || e instanceof OakGateTimeoutError) return { ok: false, status: 0 };
      throw e;
    }
  }

  /**
   * Closes the kept-alive connections once the calls in flight have their answers; resolves
   * once they are closed. A later call opens new ones. An open client does not keep the
   * process alive.
   */
  close(): Promise<void> {
    return this.#transport.close();
  }

  // util.inspect (console.log) shows the settings and the public key id only.
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `OakGate { baseUrl: '${this.baseUrl}', keyId: '${this.keyId}', timeoutMs: ${this.timeoutMs}, retries: ${this.retries} }`;
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl, keyId: this.keyId, timeoutMs: this.timeoutMs, retries: this.retries };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function numberHeader(r: RawResponse, name: string): number | undefined {
  const v = r.header(name);
  const n = Number(v);
  return v === undefined || Number.isNaN(n) ? undefined : n;
}

function waitBudget(timeoutMs: number): number {
  if (typeof timeoutMs !== "number" || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new OakGateError("waitForApproval.timeoutMs must be a positive number of milliseconds");
  }
  return timeoutMs;
}

function pendingErrorFor(decision: PendingDecision, request: ValidateRequest, approval: Approval | null): OakGateApprovalPendingError {
  return new OakGateApprovalPendingError({
    ruleId: decision.rule_id ?? null,
    decisionId: decision.decision_id ?? null,
    tool: request.tool,
    scope: request.scope,
    approvalId: decision.approval_id,
    expiresAt: typeof decision.expires_at === "string" ? decision.expires_at : null,
    decision,
    approval,
  });
}

/**
 * The error guard() throws for a decision that is not allowed; `reason` overrides the
 * decision's (a pending decision that a human then refused).
 */
export function deniedErrorFor(
  decision: Decision,
  request: ValidateRequest,
  approval: Approval | null = null,
  reason?: string,
): OakGateDeniedError {
  if (isPending(decision) && reason === undefined) return pendingErrorFor(decision, request, approval);
  const d = decision as Record<string, unknown>;
  return new OakGateDeniedError({
    reason: reason ?? (typeof d["reason"] === "string" ? (d["reason"] as string) : "denied"),
    ruleId: typeof d["rule_id"] === "string" ? (d["rule_id"] as string) : null,
    decisionId: typeof d["decision_id"] === "string" ? (d["decision_id"] as string) : null,
    tool: request.tool,
    scope: request.scope,
    approvalId: typeof d["approval_id"] === "string" ? (d["approval_id"] as string) : null,
    decision,
    approval,
  });
}

function errorFor(r: RawResponse): Error {
  const json = isObject(r.json) ? r.json : undefined;
  const error = typeof json?.["error"] === "string" ? (json["error"] as string) : undefined;
  if (r.status === 429) {
    const retryAfter = parseRetryAfter(r.header("retry-after")) ?? 1;
    return new OakGateRateLimitedError(retryAfter, r.json, numberHeader(r, "ratelimit-limit"), numberHeader(r, "ratelimit-remaining"));
  }
  if (r.status === 401) return new OakGateAuthError(r.status, error, r.json);
  const what = error ?? (json?.["error_description"] as string | undefined) ?? r.text.slice(0, 200);
  return new OakGateApiError(`oakgate answered ${r.status}${what ? `: ${what}` : ""}`, r.status, error, r.json);
}
