-- 0002's trigger gives an access token its family's resources when the INSERT named no
-- audience: the colour of a blue/green pair that predates 0002 serves a refresh without the
-- column. It ran for every access token, in PL/pgSQL with a lookup of the family, although
-- binaries since 0002 always name the audience (the empty array for none). On the
-- client_credentials path that call was a sixth of the INSERT's cost (pgbench, 16 clients:
-- about 3,300 tokens/s with it, 3,900 without).
--
-- Now an INSERT without the column gives NULL (the default is dropped), and the trigger runs
-- only then (WHEN, evaluated without calling the function). The column stays NOT NULL: the
-- trigger fills it before the constraint is checked, so no row ever holds NULL. Both colours
-- keep working: the old one's INSERT still gets the family's audience, the new ones' INSERTs
-- keep what they name.
ALTER TABLE access_tokens ALTER COLUMN audience DROP DEFAULT;

CREATE OR REPLACE FUNCTION access_token_default_audience() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.audience := coalesce((SELECT f.resources FROM token_families f
                            WHERE f.id = NEW.family_id), '{}');
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS access_tokens_default_audience ON access_tokens;
CREATE TRIGGER access_tokens_default_audience BEFORE INSERT ON access_tokens
  FOR EACH ROW WHEN (NEW.audience IS NULL) EXECUTE FUNCTION access_token_default_audience();
