-- A tamper-evident audit trail (issue 26, security.md G11): each row carries
-- hash = SHA-256(prev_hash || its canonical content), prev_hash being the hash of the row
-- chained before it, so changing, removing or inserting a row breaks every link from it on;
-- `oakgate audit verify` walks the chain.
--
-- Rows are chained by a trigger, so every writer is covered (single events, the token
-- batches, an older release during a blue/green switch) and the link commits or rolls back
-- with the event and its change. Writers are serialized on the one row of audit_chain_head,
-- locked from the event's INSERT to the end of its transaction: the gateway writes a
-- transaction's audit event last, just before COMMIT, to keep that short. One UPDATE of
-- that row takes the lock, draws the id (the head's last_id + 1) and computes the hash, so
-- id order is chain order and the walk (and pruning, which deletes a prefix of it) follows
-- the primary key.
--
-- Tamper-evident, not tamper-proof: whoever may rewrite the table may rewrite the whole chain
-- after the row they change (and the head) too. Pruning deletes the oldest rows; the first
-- row left is where the walk starts, trusting its prev_hash.

ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS prev_hash bytea;
ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS hash bytea;
-- The trigger draws the id from the head; the sequence is no longer used.
ALTER TABLE audit_events ALTER COLUMN id DROP DEFAULT;

-- The hash of the newest row (the genesis value, 32 zero bytes, while there is none).
-- prev_hash: the hash before the newest row's, so one UPDATE can hand both to the trigger.
CREATE TABLE IF NOT EXISTS audit_chain_head (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  last_id bigint NOT NULL,
  hash bytea NOT NULL,
  prev_hash bytea
);

-- What a row's hash covers: every column but the chain's own, as JSON text (jsonb prints it
-- one way only), the time in microseconds since the epoch so no session setting changes it.
CREATE OR REPLACE FUNCTION audit_event_content(e audit_events, id bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_array(id, (extract(epoch FROM e.created_at) * 1000000)::bigint, e.type,
                           e.user_id, e.client_id, e.actor, e.subject, e.client_address,
                           e.request_id, e.details)::text
$$;
CREATE OR REPLACE FUNCTION audit_event_content(e audit_events) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT audit_event_content(e, e.id) $$;

CREATE OR REPLACE FUNCTION audit_chain_step(state bytea, content text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$ SELECT sha256(state || convert_to(content, 'UTF8')) $$;

CREATE OR REPLACE FUNCTION audit_events_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  new_id bigint;
  new_prev bytea;
  new_hash bytea;
BEGIN
  -- The right-hand sides see the head as it was: prev_hash gets the old hash.
  UPDATE audit_chain_head h
     SET last_id = h.last_id + 1, prev_hash = h.hash,
         hash = audit_chain_step(h.hash, audit_event_content(NEW, h.last_id + 1))
   WHERE h.one
  RETURNING h.last_id, h.prev_hash, h.hash INTO new_id, new_prev, new_hash;
  NEW.id := new_id;
  NEW.prev_hash := new_prev;
  NEW.hash := new_hash;
  RETURN NEW;
END
$$;

-- The rows already there, chained in id order (they have all committed), while no new one
-- can be inserted. A running sha256 over the rows as a window aggregate: one pass.
LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM audit_chain_head) THEN
    CREATE AGGREGATE audit_chain_running(text) (
      SFUNC = audit_chain_step, STYPE = bytea,
      INITCOND = '\x0000000000000000000000000000000000000000000000000000000000000000');
    WITH c AS (
      SELECT id, audit_chain_running(audit_event_content(e)) OVER (ORDER BY id) AS hash
      FROM audit_events e),
    l AS (
      SELECT id, hash, coalesce(lag(hash) OVER (ORDER BY id),
                                '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
                         AS prev
      FROM c)
    UPDATE audit_events e SET prev_hash = l.prev, hash = l.hash FROM l WHERE e.id = l.id;
    INSERT INTO audit_chain_head (last_id, hash)
    SELECT coalesce(max(id), 0),
           coalesce((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1),
                    '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
    FROM audit_events;
    DROP AGGREGATE audit_chain_running(text);
  END IF;
END
$$;

DROP TRIGGER IF EXISTS audit_events_chain ON audit_events;
CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_chain();
