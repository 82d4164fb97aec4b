// oakgate: the client of the oakgate gateway for AI agents, CLIs and IDEs.
import { OakGate, type OakGateOptions } from "./client.js";
import { OakGateError } from "./errors.js";
import type { AllowedDecision, Approval, Decision, GuardOptions, HealthStatus, ValidateRequest } from "./types.js";

export { OakGate, deniedErrorFor, type OakGateOptions } from "./client.js";
export * from "./errors.js";
export * from "./types.js";
export { ApprovalWait, MAX_WAIT_SECONDS } from "./approval.js";
export { backoffDelay, isRetryableStatus, isRetryableNetworkError, parseRetryAfter, type BackoffPolicy } from "./retry.js";
export { FileTokenStore, defaultCredentialsPath, type Credentials, type TokenStore } from "./store.js";
export {
  login,
  refresh,
  getAccessToken,
  createApiKey,
  logout,
  type LoginOptions,
  type SessionOptions,
  type CreateApiKeyOptions,
  type ApiKey,
} from "./auth.js";
export { VERSION } from "./version.js";

let shared: OakGate | undefined;

/** Sets up the client that the module-level guard(), validate(), getApproval() and healthcheck() use. */
export function configure(options: OakGateOptions = {}): OakGate {
  shared?.close();
  shared = new OakGate(options);
  return shared;
}

function client(): OakGate {
  // Without configure(), OAKGATE_API_KEY and OAKGATE_URL from the environment are used.
  if (!shared) {
    if (!process.env["OAKGATE_API_KEY"]) throw new OakGateError("call configure({ apiKey }) first (or set OAKGATE_API_KEY)");
    shared = new OakGate();
  }
  return shared;
}

export function guard<T>(
  request: ValidateRequest,
  action: (decision: AllowedDecision) => T | Promise<T>,
  options: GuardOptions = {},
): Promise<T> {
  return client().guard(request, action, options);
}

export function authorize(request: ValidateRequest, options: GuardOptions = {}): Promise<AllowedDecision> {
  return client().authorize(request, options);
}

export function getApproval(approvalId: string, options: { waitSeconds?: number } = {}): Promise<Approval> {
  return client().getApproval(approvalId, options);
}

export function validate(request: ValidateRequest): Promise<Decision> {
  return client().validate(request);
}

export function healthcheck(): Promise<HealthStatus> {
  return client().healthcheck();
}
