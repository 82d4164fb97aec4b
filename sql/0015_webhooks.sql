-- Webhooks (CONTRACT §11, issue 24): endpoints, and a transactional outbox of deliveries.
-- Expand-only: new tables, functions and triggers.
--
-- Events are written by triggers, in the transaction of what caused them: a denied decision
-- (inside the decision log's group commit: one extra row per denial and subscribed endpoint,
-- no extra commit), an approval requested or decided, an API key created or revoked, the
-- first quota refusal of an organization's month, the first rate-limited request of an
-- agent's minute. Triggers also catch what the previous release writes during a switch.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id           uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  url              text NOT NULL,
  description      text NOT NULL DEFAULT '',
  events           text[] NOT NULL,
  enabled          boolean NOT NULL DEFAULT true,
  disabled_reason  text,
  -- The signing secret, sealed with a key derived from the gateway's `secret` (AES-256-GCM):
  -- it must be used to sign, so it cannot be a hash. During a rotation the previous one
  -- signs too until previous_until.
  secret_sealed    bytea NOT NULL,
  previous_sealed  bytea,
  previous_until   timestamptz,
  failing_since    timestamptz,   -- the first failure since the last success
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS webhook_endpoints_org ON webhook_endpoints (org_id);

-- One row per (event, endpoint). event_id is the webhook-id, stable across retries. The
-- payload is the body as sent. lease_until: a sender claimed it (FOR UPDATE SKIP LOCKED)
-- and is sending; another sender takes it only once the lease has run out.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id         uuid NOT NULL,
  endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  org_id           uuid NOT NULL,
  type             text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  last_status      integer,
  last_error       text,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_until      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz
);
-- The claim's (kWebhookClaim): an endpoint's due deliveries, oldest first.
CREATE INDEX IF NOT EXISTS webhook_deliveries_endpoint_due
  ON webhook_deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
-- The queue metrics': every pending delivery by age.
CREATE INDEX IF NOT EXISTS webhook_deliveries_pending
  ON webhook_deliveries (created_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_endpoint
  ON webhook_deliveries (endpoint_id, created_at DESC, id);

-- Events that happen once per period (quota.exceeded per organization and month).
CREATE TABLE IF NOT EXISTS webhook_once (
  key        text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The outbox: a delivery for every enabled endpoint of the organization subscribed to the
-- event, all with one event id. The id is drawn once in a materialized CTE: as a subquery in
-- FROM, the planner may put it on the inner side of a nested loop and draw a new one for
-- every endpoint.
CREATE OR REPLACE FUNCTION oakgate_webhook_emit(p_org uuid, p_type text, p_data jsonb)
RETURNS void LANGUAGE sql AS $$
  WITH g AS MATERIALIZED (SELECT gen_random_uuid() AS event_id)
  INSERT INTO webhook_deliveries (event_id, endpoint_id, org_id, type, payload)
  SELECT g.event_id, e.id, p_org, p_type,
         jsonb_build_object('type', p_type,
                            'timestamp', to_char(now() AT TIME ZONE 'UTC',
                                                 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                            'data', p_data)
  FROM webhook_endpoints e, g
  WHERE e.org_id = p_org AND e.enabled AND p_type = ANY (e.events)
$$;

CREATE OR REPLACE FUNCTION oakgate_webhook_decision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.org_id IS NOT NULL THEN
    PERFORM oakgate_webhook_emit(NEW.org_id, 'decision.denied', jsonb_build_object(
      'decision_id', NEW.id, 'agent_id', NEW.agent_id, 'tool', NEW.tool, 'scope', NEW.scope,
      'reason', NEW.reason, 'rule_id', NEW.rule_id, 'request_id', NEW.request_id));
  END IF;
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS decisions_webhook ON decisions;
-- A pending decision is an approval's request, which has its own event.
CREATE TRIGGER decisions_webhook AFTER INSERT ON decisions
  FOR EACH ROW WHEN (NOT NEW.allowed AND NEW.reason IS DISTINCT FROM 'pending')
  EXECUTE FUNCTION oakgate_webhook_decision();

CREATE OR REPLACE FUNCTION oakgate_webhook_approval() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM oakgate_webhook_emit(NEW.org_id, 'approval.requested', jsonb_build_object(
      'approval_id', NEW.id, 'agent_id', NEW.agent_id, 'tool', NEW.tool, 'scope', NEW.scope,
      'rule_id', NEW.rule_id, 'reasoning', NEW.reasoning, 'context', NEW.context,
      'decision_id', NEW.decision_id,
      'expires_at', to_char(NEW.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')));
  ELSIF OLD.status = 'pending' AND NEW.status IN ('approved', 'denied') THEN
    PERFORM oakgate_webhook_emit(NEW.org_id, 'approval.decided', jsonb_build_object(
      'approval_id', NEW.id, 'agent_id', NEW.agent_id, 'tool', NEW.tool, 'scope', NEW.scope,
      'status', NEW.status, 'decided_by', NEW.decided_by, 'comment', NEW.comment));
  END IF;
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS approvals_webhook ON approvals;
CREATE TRIGGER approvals_webhook AFTER INSERT OR UPDATE OF status ON approvals
  FOR EACH ROW EXECUTE FUNCTION oakgate_webhook_approval();

CREATE OR REPLACE FUNCTION oakgate_webhook_api_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.org_id IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM oakgate_webhook_emit(NEW.org_id, 'api_key.created', jsonb_build_object(
      'key_id', NEW.key_id, 'agent_id', NEW.agent_id, 'name', NEW.name));
  ELSIF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL THEN
    PERFORM oakgate_webhook_emit(NEW.org_id, 'api_key.revoked', jsonb_build_object(
      'key_id', NEW.key_id, 'agent_id', NEW.agent_id, 'name', NEW.name));
  END IF;
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS api_keys_webhook ON api_keys;
CREATE TRIGGER api_keys_webhook AFTER INSERT OR UPDATE OF revoked_at ON api_keys
  FOR EACH ROW EXECUTE FUNCTION oakgate_webhook_api_key();

-- rate_limited_counts has one row per agent and minute: its insert is the minute's first.
CREATE OR REPLACE FUNCTION oakgate_webhook_rate_limit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  org uuid;
BEGIN
  SELECT a.org_id INTO org FROM agents a WHERE a.id = NEW.agent_id;
  IF org IS NOT NULL THEN
    PERFORM oakgate_webhook_emit(org, 'rate_limit.exceeded', jsonb_build_object(
      'agent_id', NEW.agent_id,
      'minute', to_char(NEW.minute AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')));
  END IF;
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS rate_limited_counts_webhook ON rate_limited_counts;
CREATE TRIGGER rate_limited_counts_webhook AFTER INSERT ON rate_limited_counts
  FOR EACH ROW EXECUTE FUNCTION oakgate_webhook_rate_limit();

-- The month's first quota refusal of an organization (webhook_once keeps it once).
CREATE OR REPLACE FUNCTION oakgate_webhook_quota() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  month text := to_char(NEW.day, 'YYYY-MM');
BEGIN
  INSERT INTO webhook_once (key) VALUES ('quota.exceeded:' || NEW.org_id || ':' || month)
    ON CONFLICT DO NOTHING;
  IF FOUND THEN
    PERFORM oakgate_webhook_emit(NEW.org_id, 'quota.exceeded', jsonb_build_object(
      'org_id', NEW.org_id, 'month', month,
      'limit', (SELECT monthly_decisions FROM organizations WHERE id = NEW.org_id)));
  END IF;
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS usage_counters_webhook ON usage_counters;
CREATE TRIGGER usage_counters_webhook AFTER INSERT OR UPDATE OF quota_exceeded ON usage_counters
  FOR EACH ROW WHEN (NEW.quota_exceeded > 0)
  EXECUTE FUNCTION oakgate_webhook_quota();
