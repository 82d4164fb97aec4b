-- The monthly decision limit held across gateway instances (CONTRACT §9, issue 22), and the
-- invalidation of the limits every instance caches. Expand-only: a new table and a trigger;
-- the previous release reads neither, and takes the new "org:<id>" notification for one it
-- does not know, which makes it drop its caches (rare: only `oakgate org set-limits` and
-- deleting an organization send it).
--
-- One row per organization and month (UTC): how much of the month's allowance has been
-- handed out, in small blocks, to the instances, each by one atomic upsert
-- (sql/.../statements.hpp kQuotaLease). An instance records a decision only with a unit of
-- a block, so all of them together never record more than the limit. Logged: the row is the
-- only place that knows about units leased but not yet recorded.
-- granted is what the last lease took, kept only so one INSERT ... ON CONFLICT DO UPDATE ...
-- RETURNING can hand it back (as rate_buckets does).
CREATE TABLE IF NOT EXISTS org_monthly_allowance (
  org_id  uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  month   date NOT NULL CHECK (extract(day FROM month) = 1),
  leased  bigint NOT NULL CHECK (leased >= 0),
  granted bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, month)
);

-- A change of an organization's limits, or its deletion, reaches every instance's cache of
-- limits (and drops the allowance it holds), whoever made it: the CLI, the API, psql.
DROP TRIGGER IF EXISTS organizations_notify_cache ON organizations;
CREATE TRIGGER organizations_notify_cache
  AFTER UPDATE OF max_agents, monthly_decisions OR DELETE ON organizations
  FOR EACH ROW EXECUTE FUNCTION oakgate_notify_cache('org', 'id');
