-- Resources (RFC 8707 resource indicators), audience-bound tokens and dynamic client
-- registration (RFC 7591). Expand only: every new column has a default, so the other colour
-- of a blue/green pair, which does not know them, keeps working.

-- A protected resource (an MCP server, an API), named by its absolute URI with the scheme
-- and host lower-cased.
CREATE TABLE resources (
  uri        text PRIMARY KEY CHECK (length(uri) BETWEEN 1 AND 2000),
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  scopes     text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The resource server's confidential clients: a token whose audience names resources is
-- active only to their introspectors (RFC 7662 section 2.2).
CREATE TABLE resource_introspectors (
  resource_uri text NOT NULL REFERENCES resources(uri) ON DELETE CASCADE,
  client_id    text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  PRIMARY KEY (resource_uri, client_id)
);
CREATE INDEX resource_introspectors_client ON resource_introspectors (client_id);

-- is_registered: made by POST /oauth/register (never first-party); last_used_at: set when
-- it is first issued a code, so registered clients never used can be pruned.
ALTER TABLE clients
  ADD COLUMN is_registered boolean NOT NULL DEFAULT false,
  ADD COLUMN requires_resource boolean NOT NULL DEFAULT false,
  ADD COLUMN last_used_at timestamptz;
CREATE INDEX clients_registered_unused ON clients (created_at)
  WHERE is_registered AND last_used_at IS NULL;

-- The resources an authorization asked for, and the audience of each access token.
ALTER TABLE authorization_codes ADD COLUMN resources text[] NOT NULL DEFAULT '{}';
ALTER TABLE token_families ADD COLUMN resources text[] NOT NULL DEFAULT '{}';
ALTER TABLE access_tokens ADD COLUMN audience text[] NOT NULL DEFAULT '{}';

-- The other colour of a blue/green pair does not know audiences: an access token it
-- inserts without one (a refresh it serves) takes its family's resources, so it stays
-- bound. This binary always writes a non-empty audience when the family has resources, so
-- for it the default changes nothing.
CREATE FUNCTION access_token_default_audience() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.audience = '{}' THEN
    NEW.audience := coalesce((SELECT f.resources FROM token_families f
                              WHERE f.id = NEW.family_id), '{}');
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER access_tokens_default_audience BEFORE INSERT ON access_tokens
  FOR EACH ROW EXECUTE FUNCTION access_token_default_audience();

-- The resources a user consented to, beside the scopes.
ALTER TABLE consents ADD COLUMN resources text[] NOT NULL DEFAULT '{}';

-- Initial access tokens (RFC 7591 section 3) for OAKGATE_REGISTRATION=token: only their
-- SHA-256 is stored.
CREATE TABLE registration_tokens (
  id         bigserial PRIMARY KEY,
  token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  name       text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX registration_tokens_expiry ON registration_tokens (expires_at);

-- Registration throttling: one row per attempt, counted per address over a sliding window.
CREATE TABLE registration_attempts (
  id             bigserial PRIMARY KEY,
  client_address text NOT NULL,
  attempted_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registration_attempts_address ON registration_attempts (client_address, attempted_at);
CREATE INDEX registration_attempts_time ON registration_attempts (attempted_at);
