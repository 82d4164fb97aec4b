// Waiting for a human's decision on an `ask` rule's call (CONTRACT §10): the rounds of
// long-polls, as a pure function of a clock, so that they are tested without a gateway.

/** The longest `GET /v1/approvals/{id}?wait=N` the gateway holds: N ≤ 30 s. */
export const MAX_WAIT_SECONDS = 30;

/**
 * One guard's wait: each round is a long-poll of at most 30 s and the rounds end by
 * `timeoutMs`, so a wait never outlasts what the caller allowed by more than one answer's
 * time.
 */
export class ApprovalWait {
  readonly #deadline: number;
  readonly #now: () => number;
  #over = false;

  constructor(timeoutMs: number, now: () => number = Date.now) {
    this.#now = now;
    this.#deadline = now() + timeoutMs;
  }

  /** Seconds the next round may be held (0..30), or undefined when the wait is over. */
  nextRound(): number | undefined {
    if (this.#over) return undefined;
    const left = this.#deadline - this.#now();
    if (left <= 0) return undefined;
    const seconds = Math.min(MAX_WAIT_SECONDS, Math.floor(left / 1000));
    // Under a second left: one last look, not held, and then the wait is over (rather than
    // asking again and again without a hold until the deadline).
    if (seconds === 0) this.#over = true;
    return seconds;
  }
}
