// The answers of POST /v1/validate (CONTRACT §6 and §10), as the gateway sends them.

export type ReasoningLevel = "none" | "soft" | "hard";

export type DenyReason =
  | "no_rule"
  | "unknown_tool"
  | "unknown_scope"
  | "reasoning_required"
  | "agent_disabled"
  | "key_scope"
  | "denied_by_rule"
  | "approval_denied"
  | "approval_used"
  | "approval_expired"
  | "approval_mismatch"
  | (string & {});

export interface ValidateRequest {
  /** Tool name, `[A-Za-z0-9._-]{1,200}`. */
  tool: string;
  /** Scope of the tool, `[A-Za-z0-9._-]{1,200}`. */
  scope: string;
  /** Why the agent wants this call; required by rules with `require_reasoning: "hard"`. */
  reasoning?: string;
  /** Whatever describes the call (its arguments); recorded with the decision and matched by rule conditions. */
  context?: Record<string, unknown>;
  /** An approved approval (from an `ask` rule) that this call uses (sent as `approval_id`). */
  approvalId?: string;
}

interface DecisionBase {
  decision_id: string;
  rule_id: string | null;
  agent_id: string;
  tool: string;
  scope: string;
  reasoning_level?: ReasoningLevel;
  reasoning_required?: boolean;
  reasoning_provided?: boolean;
  [field: string]: unknown;
}

export interface AllowedDecision extends DecisionBase {
  allowed: true;
  /** With a `soft` rule and no reasoning: allowed, with this warning. */
  warning?: string;
  /** The approval this allowed call used (an `ask` rule, validated with `approvalId`). */
  approval_id?: string;
}

export interface DeniedDecision extends Omit<DecisionBase, "decision_id" | "rule_id"> {
  allowed: false;
  reason: DenyReason;
  decision_id: string;
  rule_id?: string | null;
  failed_condition?: { rule_id: string; field: string; op: string };
  /** With `approval_denied`, `approval_used`, `approval_expired`, `approval_mismatch`. */
  approval_id?: string;
}

/** An `ask` rule: a human must approve first (HTTP 202). */
export interface PendingDecision {
  allowed: false;
  decision: "pending";
  approval_id: string;
  decision_id: string;
  rule_id: string;
  expires_at: string;
  [field: string]: unknown;
}

export type Decision = AllowedDecision | DeniedDecision | PendingDecision;

export type ApprovalStatus = "pending" | "approved" | "denied" | "expired" | "used";

/** `GET /v1/approvals/{id}`: where a human's decision on an `ask` rule's call stands. */
export interface Approval {
  id: string;
  status: ApprovalStatus;
  /** The user who approved or denied it; null while pending or when it expired. */
  decided_by: string | null;
  /** RFC 3339; null while pending. */
  decided_at: string | null;
  /** What the person who decided wrote, if anything. */
  comment: string | null;
  /** RFC 3339: a pending approval past this is `expired`. */
  expires_at: string;
  [field: string]: unknown;
}

export interface GuardOptions {
  /**
   * When the call needs a human's approval (an `ask` rule), wait up to `timeoutMs` for it,
   * then validate again with the approval and run the action if allowed. Without it a
   * pending approval throws OakGateApprovalPendingError at once.
   */
  waitForApproval?: {
    timeoutMs: number;
    /** Called before each long-poll round (at most every 30 s) while the call waits. */
    onWait?: (pending: PendingDecision) => void;
  };
}

/** The rate-limit headers of a validate answer. */
export interface RateLimitInfo {
  limit: number | undefined;
  remaining: number | undefined;
  reset: number | undefined;
}

export interface HealthStatus {
  ok: boolean;
  status: number;
}

export function isPending(d: Decision): d is PendingDecision {
  return (d as PendingDecision).decision === "pending";
}
