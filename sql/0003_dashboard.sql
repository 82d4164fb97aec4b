-- The audit trail query (issue 6) and the dashboard (issue 9). Indexes only, and nothing here
-- depends on 0002 (MCP registration), so this file applies with or without it, in either
-- order: the migrator applies every embedded file that schema_migrations lacks.
-- (users.is_admin, which the admin pages need, has existed since 0001.)

-- GET /api/v1/audit-events?type=... and the dashboard's audit page: one user's events of one
-- type, newest first (keyset on id). Without a type, audit_events_user (0001) serves it.
CREATE INDEX IF NOT EXISTS audit_events_user_type ON audit_events (user_id, type, id DESC);

-- The dashboard summary counts a user's decisions of today, this week and the last 24 hours
-- by time; decisions_user_seq (0001) orders by seq, which says nothing about time.
CREATE INDEX IF NOT EXISTS decisions_user_time ON decisions (user_id, created_at);
