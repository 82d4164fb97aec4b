-- The decision log's write path (issue: /v1/validate close to the HTTP ceiling). Every
-- allowed validation waits for its decision's INSERT, so what each row costs there is paid
-- by every request. A profile under load showed the two foreign-key checks (one SPI query
-- per row each) as the largest part of that INSERT, then the six index insertions.
--
-- Compatible with both colours of a blue/green pair: nothing is renamed, no column changes,
-- and no statement of an older binary depends on what is dropped (the foreign keys never
-- fired for them: their INSERT joins agents and so only writes decisions of live agents).
--
-- What the foreign keys did is kept:
--  * ON DELETE CASCADE: a trigger deletes an agent's decisions with the agent (and so with
--    its user, whose agents cascade). decisions_agent_seq serves that DELETE.
--  * No decision of a deleted agent: the INSERT locks the agents it writes for
--    (FOR KEY SHARE, once per agent and batch rather than a query per row), so an agent's
--    deletion either waits for the batch, whose rows the trigger then deletes, or happens
--    first, and then the batch skips its rows (answered as not recorded).
ALTER TABLE decisions DROP CONSTRAINT IF EXISTS decisions_user_id_fkey;
ALTER TABLE decisions DROP CONSTRAINT IF EXISTS decisions_agent_id_fkey;

CREATE OR REPLACE FUNCTION oakgate_delete_agent_decisions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM decisions WHERE agent_id = OLD.id;
  RETURN OLD;
END;
$$;
DROP TRIGGER IF EXISTS agents_delete_decisions ON agents;
CREATE TRIGGER agents_delete_decisions AFTER DELETE ON agents
  FOR EACH ROW EXECUTE FUNCTION oakgate_delete_agent_decisions();

-- seq is a sequence's value, unique by construction; nothing looks decisions up by seq
-- alone (pagination goes through (user_id, seq) and (agent_id, seq)).
ALTER TABLE decisions DROP CONSTRAINT IF EXISTS decisions_seq_key;

-- created_at only serves the retention pruner's range scan, and rows arrive in time order:
-- a BRIN index answers that for a few pages instead of a B-tree entry per row.
CREATE INDEX IF NOT EXISTS decisions_time_brin ON decisions USING brin (created_at);
DROP INDEX IF EXISTS decisions_time;
