-- Cache invalidation (issue 7): every change that can make a cached answer wrong sends
-- NOTIFY oakgate_cache with what changed, from whichever process makes it (either colour,
-- the CLI, a manual fix in psql). NOTIFY is delivered at commit, and PostgreSQL folds
-- identical payloads of one transaction into one. Expand-only: nothing is altered.

-- TG_ARGV: the payload's kind and the column naming what changed ('family', 'family_id').
CREATE FUNCTION oakgate_notify_cache() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('oakgate_cache', TG_ARGV[0]);
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  PERFORM pg_notify('oakgate_cache', TG_ARGV[0] || ':' || (to_jsonb(r) ->> TG_ARGV[1]));
  RETURN NULL;
END;
$$;

-- Revocation and expiry only: issuing, rotating and pruning what is already dead change
-- nothing a cache holds.
CREATE TRIGGER access_tokens_notify_cache
  AFTER UPDATE OF revoked_at, expires_at ON access_tokens
  FOR EACH ROW EXECUTE FUNCTION oakgate_notify_cache('family', 'family_id');
CREATE TRIGGER token_families_notify_cache
  AFTER UPDATE OF revoked_at, expires_at ON token_families
  FOR EACH ROW EXECUTE FUNCTION oakgate_notify_cache('family', 'id');
CREATE TRIGGER users_notify_cache
  AFTER UPDATE OF disabled_at, email, email_normalized OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION oakgate_notify_cache('user', 'id');
CREATE TRIGGER clients_notify_cache
  AFTER UPDATE OR DELETE ON clients
  FOR EACH ROW EXECUTE FUNCTION oakgate_notify_cache('client', 'id');
CREATE TRIGGER api_keys_notify_cache
  AFTER UPDATE OF revoked_at, expires_at, scopes, key_hash, agent_id OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION oakgate_notify_cache('key', 'key_id');
CREATE TRIGGER agents_notify_cache
  AFTER UPDATE OR DELETE ON agents
  FOR EACH ROW EXECUTE FUNCTION oakgate_notify_cache('agent', 'id');
CREATE TRIGGER tools_notify_cache
  AFTER INSERT OR UPDATE OR DELETE ON tools
  FOR EACH ROW EXECUTE FUNCTION oakgate_notify_cache('agent', 'agent_id');
CREATE TRIGGER rules_notify_cache
  AFTER INSERT OR UPDATE OR DELETE ON rules
  FOR EACH ROW EXECUTE FUNCTION oakgate_notify_cache('agent', 'agent_id');
CREATE TRIGGER resources_notify_cache
  AFTER INSERT OR UPDATE OR DELETE ON resources
  FOR EACH STATEMENT EXECUTE FUNCTION oakgate_notify_cache('resources');
CREATE TRIGGER resource_introspectors_notify_cache
  AFTER INSERT OR UPDATE OR DELETE ON resource_introspectors
  FOR EACH STATEMENT EXECUTE FUNCTION oakgate_notify_cache('resources');
