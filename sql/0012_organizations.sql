-- Organizations (CONTRACT §9, issue 22): agents, keys, decisions, usage and audit events
-- belong to an organization; users are its members with a role.
--
-- Expand only: the previous release keeps running on this schema during a blue/green switch
-- (and after a rollback) with the same answers for existing users. So nothing it reads or
-- writes is dropped or renamed, and what it inserts without the new columns is completed
-- by triggers: a new user gets a personal organization, an agent, key, decision or audit
-- event gets its organization. The contract step (dropping agents.user_id as the scope, the
-- old unique name per user) waits for a release after this one.
--
-- agents.user_id keeps its old meaning for the old release: the user whose personal
-- organization holds the agent. Agents of shared organizations have none (NULL), so the old
-- release never shows them; created_by says who made an agent (a member may manage keys
-- only of agents it created). decisions.user_id follows the agent's user_id.

CREATE TABLE IF NOT EXISTS organizations (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  slug              text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]{3,40}$'),
  -- Set for a user's personal organization (one each), NULL for a shared one.
  personal_user_id  uuid UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  -- The operator's limits (`oakgate org set-limits`); NULL is unlimited.
  max_agents        integer CHECK (max_agents >= 0),
  monthly_decisions bigint CHECK (monthly_decisions >= 0),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS org_members (
  org_id     uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role       text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX IF NOT EXISTS org_members_user ON org_members (user_id);

-- Only the SHA-256 of an invitation's token is stored; the token is shown once.
CREATE TABLE IF NOT EXISTS org_invitations (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id           uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email            text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  email_normalized text NOT NULL,
  role             text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  token_hash       bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  invited_by       uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  accepted_at      timestamptz,
  accepted_by      uuid REFERENCES users(id) ON DELETE SET NULL,
  revoked_at       timestamptz
);
CREATE INDEX IF NOT EXISTS org_invitations_org ON org_invitations (org_id, created_at DESC);

-- Decisions counted per organization, agent, day (UTC) and outcome, written by the decision
-- log's group commit: the usage page and the monthly limit read these, never `decisions`.
-- agent_id has no foreign key: an organization's month keeps counting a deleted agent.
CREATE TABLE IF NOT EXISTS usage_counters (
  org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  agent_id       uuid NOT NULL,
  day            date NOT NULL,
  allowed        bigint NOT NULL DEFAULT 0,
  denied         bigint NOT NULL DEFAULT 0,
  rate_limited   bigint NOT NULL DEFAULT 0,
  quota_exceeded bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, day, agent_id)
);

ALTER TABLE agents ADD COLUMN IF NOT EXISTS org_id uuid REFERENCES organizations(id) ON DELETE CASCADE;
ALTER TABLE agents ADD COLUMN IF NOT EXISTS created_by uuid REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE agents ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS org_id uuid REFERENCES organizations(id) ON DELETE CASCADE;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS org_id uuid;
ALTER TABLE decisions ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS org_id uuid;

-- A personal organization's slug: "u-" and the user's id in hex, unique by construction.
CREATE OR REPLACE FUNCTION personal_org_slug(user_id uuid) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'u-' || replace(user_id::text, '-', '') $$;

-- Every user has a personal organization, made with the user whichever release inserts it.
CREATE OR REPLACE FUNCTION users_personal_org() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  new_org uuid;
BEGIN
  INSERT INTO organizations (name, slug, personal_user_id)
  VALUES (NEW.email, personal_org_slug(NEW.id), NEW.id)
  ON CONFLICT (personal_user_id) DO NOTHING
  RETURNING id INTO new_org;
  IF new_org IS NOT NULL THEN
    INSERT INTO org_members (org_id, user_id, role) VALUES (new_org, NEW.id, 'owner');
  END IF;
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS users_personal_org ON users;
CREATE TRIGGER users_personal_org AFTER INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION users_personal_org();

-- What the previous release inserts without an organization lands in the right one.
CREATE OR REPLACE FUNCTION agents_fill_org() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.org_id := (SELECT id FROM organizations WHERE personal_user_id = NEW.user_id);
  NEW.created_by := coalesce(NEW.created_by, NEW.user_id);
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS agents_fill_org ON agents;
CREATE TRIGGER agents_fill_org BEFORE INSERT ON agents
  FOR EACH ROW WHEN (NEW.org_id IS NULL) EXECUTE FUNCTION agents_fill_org();

CREATE OR REPLACE FUNCTION api_keys_fill_org() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.org_id := (SELECT org_id FROM agents WHERE id = NEW.agent_id);
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS api_keys_fill_org ON api_keys;
CREATE TRIGGER api_keys_fill_org BEFORE INSERT ON api_keys
  FOR EACH ROW WHEN (NEW.org_id IS NULL) EXECUTE FUNCTION api_keys_fill_org();

-- The previous release's decisions are counted here, since its group commit knows no
-- counters; this release counts its own in the group commit and never fires this.
CREATE OR REPLACE FUNCTION decisions_fill_org() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.org_id := (SELECT org_id FROM agents WHERE id = NEW.agent_id);
  IF NEW.org_id IS NOT NULL THEN
    INSERT INTO usage_counters AS u (org_id, agent_id, day, allowed, denied)
    VALUES (NEW.org_id, NEW.agent_id, (NEW.created_at AT TIME ZONE 'UTC')::date,
            CASE WHEN NEW.allowed THEN 1 ELSE 0 END, CASE WHEN NEW.allowed THEN 0 ELSE 1 END)
    ON CONFLICT (org_id, day, agent_id) DO UPDATE
      SET allowed = u.allowed + excluded.allowed, denied = u.denied + excluded.denied;
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS decisions_fill_org ON decisions;
CREATE TRIGGER decisions_fill_org BEFORE INSERT ON decisions
  FOR EACH ROW WHEN (NEW.org_id IS NULL) EXECUTE FUNCTION decisions_fill_org();

-- Named to fire before audit_events_chain (BEFORE triggers fire in name order), so the
-- organization is part of what the chain's hash covers.
CREATE OR REPLACE FUNCTION audit_events_fill_org() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.org_id := (SELECT id FROM organizations WHERE personal_user_id = NEW.user_id);
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS audit_events_0_fill_org ON audit_events;
CREATE TRIGGER audit_events_0_fill_org BEFORE INSERT ON audit_events
  FOR EACH ROW WHEN (NEW.org_id IS NULL AND NEW.user_id IS NOT NULL)
  EXECUTE FUNCTION audit_events_fill_org();

-- Existing data moves into the personal organizations, while nothing new can be written.
LOCK TABLE users, agents, api_keys, decisions, audit_events IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO organizations (name, slug, personal_user_id)
SELECT u.email, personal_org_slug(u.id), u.id FROM users u
ON CONFLICT (personal_user_id) DO NOTHING;
INSERT INTO org_members (org_id, user_id, role)
SELECT o.id, o.personal_user_id, 'owner' FROM organizations o
WHERE o.personal_user_id IS NOT NULL
ON CONFLICT (org_id, user_id) DO NOTHING;

UPDATE agents a SET org_id = o.id, created_by = coalesce(a.created_by, a.user_id)
  FROM organizations o WHERE o.personal_user_id = a.user_id AND a.org_id IS NULL;
UPDATE api_keys k SET org_id = a.org_id FROM agents a WHERE a.id = k.agent_id AND k.org_id IS NULL;
UPDATE decisions d SET org_id = a.org_id FROM agents a WHERE a.id = d.agent_id AND d.org_id IS NULL;

-- Past decisions become the counters the usage page reads.
INSERT INTO usage_counters AS u (org_id, agent_id, day, allowed, denied)
SELECT d.org_id, d.agent_id, (d.created_at AT TIME ZONE 'UTC')::date,
       count(*) FILTER (WHERE d.allowed), count(*) FILTER (WHERE NOT d.allowed)
FROM decisions d WHERE d.org_id IS NOT NULL
GROUP BY 1, 2, 3
ON CONFLICT (org_id, day, agent_id) DO NOTHING;

CREATE UNIQUE INDEX IF NOT EXISTS agents_org_name ON agents (org_id, name);
CREATE INDEX IF NOT EXISTS api_keys_org ON api_keys (org_id, created_at DESC);
CREATE INDEX IF NOT EXISTS decisions_org_seq ON decisions (org_id, seq DESC);
CREATE INDEX IF NOT EXISTS decisions_org_time ON decisions (org_id, created_at);
CREATE INDEX IF NOT EXISTS audit_events_org ON audit_events (org_id, id DESC);
CREATE INDEX IF NOT EXISTS audit_events_org_type ON audit_events (org_id, type, id DESC);

-- The audit chain's hash covers the organization from now on. The events already there get
-- it and the chain is computed again over them, in one pass as 0011 did: a tampered row
-- must be found by `oakgate audit verify` before this migration runs, not after.
UPDATE audit_events e SET org_id = o.id
  FROM organizations o WHERE o.personal_user_id = e.user_id AND e.org_id IS NULL;

CREATE OR REPLACE FUNCTION audit_event_content(e audit_events, id bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_array(id, (extract(epoch FROM e.created_at) * 1000000)::bigint, e.type,
                           e.user_id, e.client_id, e.actor, e.subject, e.client_address,
                           e.request_id, e.details, e.org_id)::text
$$;

DO $$
BEGIN
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
  UPDATE audit_chain_head h
     SET hash = coalesce((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1),
                         '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea),
         prev_hash = (SELECT prev_hash FROM audit_events ORDER BY id DESC LIMIT 1)
   WHERE h.one;
  DROP AGGREGATE audit_chain_running(text);
END
$$;
