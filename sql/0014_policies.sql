-- Rule effects, conditions and priority; approvals (CONTRACT §10, issue 23). Expand-only:
-- new columns with defaults that keep every existing rule's meaning (allow, no conditions,
-- priority 0), a new table, a new column on decisions, and one constraint dropped.
--
-- Several rules may now share (agent, tool, scope): within a level they are tried by priority
-- then id, so the UNIQUE (agent_id, tool, scope) of 0001 goes, and a plain index serves the
-- policy read instead.
--
-- The previous release reads rules without their effect or conditions: to it every rule is a
-- grant. It must not serve once a deny, ask or conditional rule exists (README, "Upgrading").
ALTER TABLE rules ADD COLUMN IF NOT EXISTS effect text NOT NULL DEFAULT 'allow'
  CHECK (effect IN ('allow', 'deny', 'ask'));
ALTER TABLE rules ADD COLUMN IF NOT EXISTS conditions jsonb NOT NULL DEFAULT '[]'::jsonb
  CHECK (jsonb_typeof(conditions) = 'array');
ALTER TABLE rules ADD COLUMN IF NOT EXISTS priority bigint NOT NULL DEFAULT 0
  CHECK (priority BETWEEN -1000000 AND 1000000);
ALTER TABLE rules ADD COLUMN IF NOT EXISTS approval_ttl bigint NOT NULL DEFAULT 3600
  CHECK (approval_ttl BETWEEN 60 AND 2592000);
CREATE INDEX IF NOT EXISTS rules_agent_tool_scope ON rules (agent_id, tool, scope);
ALTER TABLE rules DROP CONSTRAINT IF EXISTS rules_agent_id_tool_scope_key;

-- An ask rule's request for a human decision. Times come from the gateway's clock (it decides
-- expiry), not the database's. status is what was written; a pending or approved approval
-- past expires_at reads as expired (an approved one must be used before then: approving sets
-- expires_at to the decision's time plus the rule's approval_ttl).
CREATE TABLE IF NOT EXISTS approvals (
  id               uuid PRIMARY KEY,
  org_id           uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  agent_id         uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  key_id           text,
  rule_id          uuid,            -- no reference: the rule may be deleted meanwhile
  tool             text NOT NULL,
  scope            text NOT NULL,
  context          jsonb,
  context_hash     bytea NOT NULL,  -- SHA-256 of the context's canonical JSON ("null" if none)
  reasoning        text,
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'approved', 'denied', 'used', 'expired')),
  decided_by       uuid REFERENCES users(id) ON DELETE SET NULL,
  decided_at       timestamptz,
  comment          text,
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  decision_id      uuid NOT NULL,   -- the pending decision that asked
  used_at          timestamptz,
  used_decision_id uuid
);
-- One pending approval per (agent, tool, scope, context): a repeated request finds it.
CREATE UNIQUE INDEX IF NOT EXISTS approvals_one_pending
  ON approvals (agent_id, tool, scope, context_hash) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS approvals_org_created ON approvals (org_id, created_at DESC, id);

-- A decision names the approval it asked for or used.
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS approval_id uuid;

-- Agents waiting on GET /v1/approvals/{id}?wait= hear of a decision on any instance.
DROP TRIGGER IF EXISTS approvals_notify_cache ON approvals;
CREATE TRIGGER approvals_notify_cache
  AFTER UPDATE OF status ON approvals
  FOR EACH ROW EXECUTE FUNCTION oakgate_notify_cache('approval', 'id');
