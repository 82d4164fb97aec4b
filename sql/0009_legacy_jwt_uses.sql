-- The legacy JWT bridge (CONTRACT §12): each JWT is exchanged at most once. A row per
-- exchanged token, keyed by SHA-256 of its jti (else of the token itself), kept until the
-- token would be refused as expired anyway; the prune task deletes it after that.
CREATE TABLE legacy_jwt_uses (
  replay_key  bytea PRIMARY KEY CHECK (length(replay_key) = 32),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX legacy_jwt_uses_expires ON legacy_jwt_uses (expires_at);
