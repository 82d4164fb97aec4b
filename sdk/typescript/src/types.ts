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
  /** An approved approval (from an `ask` rule) that this call uses. */
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
}

export interface DeniedDecision extends Omit<DecisionBase, "decision_id" | "rule_id"> {
  allowed: false;
  reason: DenyReason;
  decision_id: string;
  rule_id?: string | null;
  failed_condition?: { rule_id: string; field: string; op: string };
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
