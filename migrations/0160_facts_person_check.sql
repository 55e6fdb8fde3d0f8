-- Key-population rows per second (bench/results/ingest.md): the foreign key from facts to
-- persons becomes a check per statement. The foreign key's trigger looked each row's person up and
-- locked it FOR KEY SHARE (a tuple lock, written to the persons page and the WAL, per fact): a
-- third of a list block's fact insert, ≈ 10 % of the server's time in a list import.
--
-- Integrity stays in the database, for every writer (some take a person id from a request):
-- - a statement inserting or updating facts fails, with the foreign key's SQLSTATE (23503) and
--   message, if any of its rows names a person that does not exist (one probe of persons_pkey per
--   row, no lock);
-- - a person with facts cannot be deleted (as the foreign key's NO ACTION had it; persons.id is an
--   identity column, never updated). What the lock also covered, a delete racing an insert,
--   cannot happen: persons are never deleted.
ALTER TABLE facts DROP CONSTRAINT IF EXISTS facts_person_id_fkey;

CREATE OR REPLACE FUNCTION facts_persons_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing bigint;
BEGIN
  SELECT n.person_id INTO missing FROM new_facts n
   WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = n.person_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "facts" violates foreign key constraint "facts_person_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (person_id)=(%s) is not present in table "persons".', missing);
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS facts_persons_exist_insert ON facts;
CREATE TRIGGER facts_persons_exist_insert AFTER INSERT ON facts
  REFERENCING NEW TABLE AS new_facts FOR EACH STATEMENT EXECUTE FUNCTION facts_persons_exist();
DROP TRIGGER IF EXISTS facts_persons_exist_update ON facts;
CREATE TRIGGER facts_persons_exist_update AFTER UPDATE ON facts
  REFERENCING NEW TABLE AS new_facts FOR EACH STATEMENT EXECUTE FUNCTION facts_persons_exist();

CREATE OR REPLACE FUNCTION persons_keep_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM facts WHERE person_id = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "persons" violates foreign key constraint "facts_person_id_fkey" on table "facts"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced from table "facts".', OLD.id);
  END IF;
  RETURN OLD;
END $$;

DROP TRIGGER IF EXISTS persons_keep_facts ON persons;
CREATE TRIGGER persons_keep_facts BEFORE DELETE ON persons
  FOR EACH ROW EXECUTE FUNCTION persons_keep_facts();
