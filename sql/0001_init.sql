-- oakgate schema, first version. Forward-only: once landed, never edited; later changes
-- are new files (expand, then contract, so both colours of a blue/green pair can run).
-- Secrets are never stored: only SHA-256 digests (bytea, 32 bytes) or scrypt hashes.

CREATE TABLE users (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email            text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  email_normalized text NOT NULL UNIQUE,
  password_hash    text NOT NULL,
  is_admin         boolean NOT NULL DEFAULT false,
  disabled_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE clients (
  id                         text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
  name                       text NOT NULL CHECK (length(name) <= 200),
  secret_hash                bytea CHECK (secret_hash IS NULL OR length(secret_hash) = 32),
  previous_secret_hash       bytea,
  previous_secret_expires_at timestamptz,
  is_confidential            boolean NOT NULL DEFAULT false,
  is_first_party             boolean NOT NULL DEFAULT false,
  can_introspect             boolean NOT NULL DEFAULT false,
  redirect_uris              text[] NOT NULL DEFAULT '{}',
  scopes                     text[] NOT NULL DEFAULT '{}',
  grant_types                text[] NOT NULL DEFAULT '{}',
  created_at                 timestamptz NOT NULL DEFAULT now(),
  updated_at                 timestamptz NOT NULL DEFAULT now(),
  CHECK (is_confidential = (secret_hash IS NOT NULL))
);

CREATE TABLE sessions (
  id              bigserial PRIMARY KEY,
  token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  user_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_seen_at    timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  idle_expires_at timestamptz NOT NULL,
  ended_at        timestamptz,
  client_address  text NOT NULL DEFAULT '',
  user_agent      text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_expiry ON sessions (least(expires_at, idle_expires_at));

-- Login throttling: one row per failure, counted over a sliding window.
CREATE TABLE login_failures (
  id             bigserial PRIMARY KEY,
  account        text NOT NULL,
  client_address text NOT NULL,
  failed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_pair ON login_failures (account, client_address, failed_at);
CREATE INDEX login_failures_address ON login_failures (client_address, failed_at);
CREATE INDEX login_failures_account ON login_failures (account, failed_at);
CREATE INDEX login_failures_time ON login_failures (failed_at);

-- Failed client authentication at token, introspection and revocation (per client and
-- per address).
CREATE TABLE client_auth_failures (
  id             bigserial PRIMARY KEY,
  client_id      text NOT NULL,
  client_address text NOT NULL,
  failed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_auth_failures_client ON client_auth_failures (client_id, failed_at);
CREATE INDEX client_auth_failures_address ON client_auth_failures (client_address, failed_at);
CREATE INDEX client_auth_failures_time ON client_auth_failures (failed_at);

-- Consent remembered per user, client and scope set.
CREATE TABLE consents (
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id  text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  scopes     text[] NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, client_id)
);
CREATE INDEX consents_client ON consents (client_id);

-- One authorization (a code redemption or a client-credentials grant) starts a family;
-- every access and refresh token descends from one. Revoking the family revokes them all.
CREATE TABLE token_families (
  id          bigserial PRIMARY KEY,
  client_id   text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  user_id     uuid REFERENCES users(id) ON DELETE CASCADE,
  scopes      text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,   -- absolute: rotation never extends it
  revoked_at  timestamptz,
  revoked_reason text
);
CREATE INDEX token_families_user ON token_families (user_id) WHERE revoked_at IS NULL;
CREATE INDEX token_families_client ON token_families (client_id);
CREATE INDEX token_families_expiry ON token_families (expires_at);

CREATE TABLE authorization_codes (
  id             bigserial PRIMARY KEY,
  code_hash      bytea NOT NULL UNIQUE CHECK (length(code_hash) = 32),
  client_id      text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  user_id        uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  redirect_uri   text NOT NULL,
  redirect_uri_given boolean NOT NULL DEFAULT true,
  scopes         text[] NOT NULL DEFAULT '{}',
  code_challenge text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  used_at        timestamptz,
  family_id      bigint REFERENCES token_families(id) ON DELETE SET NULL
);
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);
CREATE INDEX authorization_codes_family ON authorization_codes (family_id);

CREATE TABLE access_tokens (
  id          bigserial PRIMARY KEY,
  token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  family_id   bigint NOT NULL REFERENCES token_families(id) ON DELETE CASCADE,
  client_id   text NOT NULL,
  user_id     uuid,
  scopes      text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX access_tokens_family ON access_tokens (family_id);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);

CREATE TABLE refresh_tokens (
  id          bigserial PRIMARY KEY,
  token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  family_id   bigint NOT NULL REFERENCES token_families(id) ON DELETE CASCADE,
  parent_id   bigint REFERENCES refresh_tokens(id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  used_at     timestamptz,            -- set when rotated: the token is retired
  revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_parent ON refresh_tokens (parent_id);

CREATE TABLE agents (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  enabled     boolean NOT NULL DEFAULT true,
  rate_limit  integer NOT NULL DEFAULT 60 CHECK (rate_limit > 0),
  burst       integer NOT NULL DEFAULT 60 CHECK (burst > 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, name)
);

CREATE TABLE api_keys (
  key_id       text PRIMARY KEY CHECK (key_id ~ '^pk_[A-Za-z0-9]{16}$'),
  key_hash     bytea NOT NULL CHECK (length(key_hash) = 32),
  user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  agent_id     uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  name         text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  scopes       text[] NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz,
  replaces     text REFERENCES api_keys(key_id) ON DELETE SET NULL
);
CREATE INDEX api_keys_user ON api_keys (user_id, created_at DESC);
CREATE INDEX api_keys_agent ON api_keys (agent_id);

CREATE TABLE tools (
  agent_id    uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (name ~ '^[A-Za-z0-9._-]{1,200}$'),
  scopes      text[] NOT NULL DEFAULT '{}',
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, name)
);

CREATE TABLE rules (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id          uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  tool              text NOT NULL CHECK (tool = '*' OR tool ~ '^[A-Za-z0-9._-]{1,200}$'),
  scope             text NOT NULL CHECK (scope = '*' OR scope ~ '^[A-Za-z0-9._-]{1,200}$'),
  require_reasoning text NOT NULL DEFAULT 'none'
                    CHECK (require_reasoning IN ('none', 'soft', 'hard')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agent_id, tool, scope)
);

CREATE TABLE decisions (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq                bigserial NOT NULL UNIQUE,   -- keyset pagination, newest first
  user_id            uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  agent_id           uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  key_id             text,
  tool               text NOT NULL,
  scope              text NOT NULL,
  allowed            boolean NOT NULL,
  reason             text,
  rule_id            uuid,
  reasoning          text,
  reasoning_required boolean NOT NULL DEFAULT false,
  reasoning_provided boolean NOT NULL DEFAULT false,
  context            jsonb,
  request_id         text,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_user_seq ON decisions (user_id, seq DESC);
CREATE INDEX decisions_agent_seq ON decisions (agent_id, seq DESC);
CREATE INDEX decisions_time ON decisions (created_at);

-- Rate-limited validations are counted per agent and minute, not recorded one by one.
CREATE TABLE rate_limited_counts (
  agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  minute   timestamptz NOT NULL,
  count    bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (agent_id, minute)
);
CREATE INDEX rate_limited_counts_minute ON rate_limited_counts (minute);

CREATE TABLE audit_events (
  id          bigserial PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  type        text NOT NULL,
  user_id     uuid,
  client_id   text,
  actor       text,
  subject     text,
  client_address text,
  request_id  text,
  details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_user ON audit_events (user_id, id DESC);
CREATE INDEX audit_events_type ON audit_events (type, id DESC);
CREATE INDEX audit_events_time ON audit_events (created_at);
