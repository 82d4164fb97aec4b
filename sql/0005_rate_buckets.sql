-- Shared token buckets for /v1/validate (issue: rate limits that hold across instances).
-- Expand-only: a new table that older binaries never read, so either colour of a blue/green
-- pair runs against it. (0004 belongs to another change; this file does not depend on it.)
--
-- UNLOGGED: a bucket is a few seconds of state that is rewritten on every lease, so WAL for
-- it would be pure cost. After a crash PostgreSQL empties the table and every bucket starts
-- full again, as the per-process buckets did on a restart; unlogged tables are not
-- replicated either, so a failover to a standby does the same.
--
-- units are tokens scaled by 60000 (policy::kUnitsPerToken): `rate` tokens a minute refill
-- exactly `rate` units a millisecond. updated_ms is the database's clock in milliseconds, so
-- instances need no clock agreement. granted is what the last lease took, kept only so one
-- INSERT ... ON CONFLICT DO UPDATE ... RETURNING can hand it back.
-- No foreign key to agents: the lease statement stays a single-row upsert with no lookup; a
-- deleted agent leaves one row of 40 bytes behind.
CREATE UNLOGGED TABLE IF NOT EXISTS rate_buckets (
  agent_id uuid PRIMARY KEY,
  units bigint NOT NULL,
  updated_ms bigint NOT NULL,
  granted bigint NOT NULL DEFAULT 0
);
