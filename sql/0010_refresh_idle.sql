-- Refresh-token inactivity expiry (RFC 9700 §4.14.2, G5): a family unused for its
-- idle_ttl_seconds is inactive at refresh and introspection; every rotation touches
-- last_used_at and so extends it, never past expires_at. Set from refresh_idle_ttl when the
-- family starts. 0 means no idle limit: what families of the previous release, and those it
-- still starts during a blue/green switch, get.
ALTER TABLE token_families ADD COLUMN idle_ttl_seconds integer NOT NULL DEFAULT 0
  CHECK (idle_ttl_seconds >= 0);
