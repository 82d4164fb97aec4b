// Every error the client throws is an OakGateError. None of them carries the API key, an
// access token or a request header: they hold only what the gateway answered (statuses,
// `error` codes, reasons, ids) and Node's own network error as `cause`.
import type { Approval } from "./types.js";

export class OakGateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The gateway could not be reached, or went away mid-answer, and retries did not help. */
export class OakGateConnectionError extends OakGateError {
  /** Node's network error code (`ECONNREFUSED`, `ECONNRESET`, ...), when there is one. */
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause?: unknown) {
    super(message, { cause });
    this.code = code;
  }
}

/** The `timeoutMs` budget (all attempts and waits together) ran out. */
export class OakGateTimeoutError extends OakGateError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`oakgate did not answer within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** Any answer the client does not turn into a typed result or a more specific error. */
export class OakGateApiError extends OakGateError {
  readonly status: number;
  /** The `error` field of the JSON answer, when it had one. */
  readonly error: string | undefined;
  readonly body: unknown;
  constructor(message: string, status: number, error: string | undefined, body: unknown) {
    super(message);
    this.status = status;
    this.error = error;
    this.body = body;
  }
}

/** 401: the API key (or access token) was refused; `error` says why. */
export class OakGateAuthError extends OakGateApiError {
  constructor(status: number, error: string | undefined, body: unknown) {
    super(`oakgate refused the credentials: ${error ?? `status ${status}`}`, status, error, body);
  }
}

/** 503 after every retry: the gateway (or its database) is temporarily unavailable. */
export class OakGateUnavailableError extends OakGateApiError {
  /** Seconds the gateway asked to wait, from `Retry-After`. */
  readonly retryAfter: number | undefined;
  constructor(status: number, error: string | undefined, body: unknown, retryAfter?: number) {
    super(`oakgate is temporarily unavailable (status ${status})`, status, error, body);
    this.retryAfter = retryAfter;
  }
}

/** 429 from /v1/validate: the agent's rate limit is spent. Never retried by the client. */
export class OakGateRateLimitedError extends OakGateApiError {
  /** Seconds until a token is back in the agent's bucket (`Retry-After`). */
  readonly retryAfter: number;
  readonly limit: number | undefined;
  readonly remaining: number | undefined;
  constructor(retryAfter: number, body: unknown, limit?: number, remaining?: number) {
    super(`oakgate rate limit reached: retry after ${retryAfter} s`, 429, "rate_limited", body);
    this.retryAfter = retryAfter;
    this.limit = limit;
    this.remaining = remaining;
  }
}

/** guard(): the gateway answered `allowed: false` (or a human denied the call). */
export class OakGateDeniedError extends OakGateError {
  readonly reason: string;
  readonly ruleId: string | null;
  readonly decisionId: string | null;
  readonly tool: string;
  readonly scope: string;
  /** For a rule with `effect: "ask"`: the approval the call waited for or used. */
  readonly approvalId: string | null;
  /** The whole answer of /v1/validate. */
  readonly decision: unknown;
  /** The approval as guard() last read it (`status`, `decided_by`, `comment`), when it waited for one. */
  readonly approval: Approval | null;
  constructor(args: {
    reason: string;
    ruleId: string | null;
    decisionId: string | null;
    tool: string;
    scope: string;
    approvalId: string | null;
    decision: unknown;
    approval?: Approval | null;
    message?: string;
  }) {
    const rule = args.ruleId ? ` (rule ${args.ruleId})` : "";
    super(args.message ?? `oakgate denied ${args.tool}:${args.scope}: ${args.reason}${rule}`);
    this.reason = args.reason;
    this.ruleId = args.ruleId;
    this.decisionId = args.decisionId;
    this.tool = args.tool;
    this.scope = args.scope;
    this.approvalId = args.approvalId;
    this.decision = args.decision;
    this.approval = args.approval ?? null;
  }
}

/**
 * guard(): the call needs a human's approval (an `ask` rule, HTTP 202) that has not come,
 * either because guard() was not told to wait (`waitForApproval`) or because its wait ran
 * out. `reason` is `approval_pending`; validate again with `approvalId` once it is approved.
 * A subclass of OakGateDeniedError, so code that stops on a denial stops on this too.
 */
export class OakGateApprovalPendingError extends OakGateDeniedError {
  declare readonly approvalId: string;
  /** RFC 3339: when the approval expires unless a human decides it first. */
  readonly expiresAt: string | null;
  constructor(args: {
    ruleId: string | null;
    decisionId: string | null;
    tool: string;
    scope: string;
    approvalId: string;
    expiresAt: string | null;
    decision: unknown;
    approval?: Approval | null;
  }) {
    super({
      ...args,
      reason: "approval_pending",
      message: `oakgate: ${args.tool}:${args.scope} waits for a human's approval (approval ${args.approvalId})`,
    });
    this.expiresAt = args.expiresAt;
  }
}

/** login(), refresh() or createApiKey() failed at the OAuth or management step. */
export class OakGateLoginError extends OakGateError {
  /** The OAuth `error` code (`access_denied`, `invalid_grant`, ...), when there is one. */
  readonly error: string | undefined;
  constructor(message: string, error?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.error = error;
  }
}
