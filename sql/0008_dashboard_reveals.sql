-- The one-time slot that carries a new API key from the dashboard's POST to the page it
-- redirects to (issue 29): the POST answers 303, and the page it points at shows the key once
-- and empties the slot in the same statement, so a reload, Back or a restored tab can never
-- show it again nor create a second key. It lives in PostgreSQL, not in one process, because
-- both colours of a blue/green pair serve the same browser and either may answer the GET.
--
-- `sealed` is the whole key XORed with an HMAC-SHA256 stream keyed by the session cookie,
-- which the server never stores (sessions hold only its hash): a copy of this table alone
-- reveals no key. A slot ends with its session (CASCADE, also when sessions are pruned) and
-- is never read more than 10 minutes after it was written; pruning deletes it then.
--
-- Only a new table: a binary that predates it never reads or writes it.
CREATE TABLE dashboard_reveals (
  session_id   bigint NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  key_id       text NOT NULL REFERENCES api_keys(key_id) ON DELETE CASCADE,
  sealed       bytea NOT NULL CHECK (length(sealed) BETWEEN 1 AND 512),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, key_id)
);
CREATE INDEX dashboard_reveals_created ON dashboard_reveals (created_at);
