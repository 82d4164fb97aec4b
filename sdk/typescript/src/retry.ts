// Which failures are retried and how long to wait: pure functions, so the policy is tested
// without sockets or clocks.

export interface BackoffPolicy {
  /** The first retry waits up to this long (before jitter). */
  baseMs: number;
  /** No single wait is longer than this, whatever the attempt number. */
  capMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 100, capMs: 2000 };

/**
 * Wait before retry number `retry` (0 for the first retry): "full jitter", a uniform draw
 * in [0, min(cap, base * 2^retry)), so clients that failed together do not retry together.
 * A `Retry-After` from the gateway is a floor: the client never comes back sooner.
 */
export function backoffDelay(
  retry: number,
  policy: BackoffPolicy = defaultBackoff,
  random: () => number = Math.random,
  retryAfterSeconds?: number,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** retry);
  const jittered = Math.floor(random() * ceiling);
  const floor = retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : 0;
  return Math.max(floor, jittered);
}

/** Network failures worth another attempt: the request may not have reached the gateway. */
const RETRYABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export function isRetryableNetworkError(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/**
 * Only a 503 that says when to come back is retried: it is the gateway's "temporarily
 * unavailable" (CONTRACT §4, §8). Every other status is an answer: a deny, a 4xx and a 429
 * are the caller's to handle, never repeated behind its back.
 */
export function isRetryableStatus(status: number, retryAfter: number | undefined): boolean {
  return status === 503 && retryAfter !== undefined;
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date; undefined when absent or bad. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
