-- Integrity by the database (docs/DESIGN.md §14): every row that names a person, a venue or a
-- device names one that exists, enforced by PostgreSQL for every writer, not by how the code is
-- written today. Migrations 0120 and 0160 had traded the foreign keys of the high-volume tables for
-- throughput (bench/results/ingest.md); they come back here, and the ingest benchmark records what
-- they cost.
--
-- Persons are never deleted (a person's facts, trips and statuses are the record of what their
-- code showed): the database refuses DELETE and TRUNCATE of persons and any change of a person's
-- id, so a reference that was valid stays valid. The foreign keys say ON DELETE RESTRICT as well.

-- The per-statement check of 0160 gives way to the foreign key itself.
DROP TRIGGER IF EXISTS facts_persons_exist_insert ON facts;
DROP TRIGGER IF EXISTS facts_persons_exist_update ON facts;
DROP TRIGGER IF EXISTS persons_keep_facts ON persons;
DROP FUNCTION IF EXISTS facts_persons_exist();
DROP FUNCTION IF EXISTS persons_keep_facts();

ALTER TABLE facts DROP CONSTRAINT IF EXISTS facts_person_id_fkey;
ALTER TABLE facts ADD CONSTRAINT facts_person_id_fkey
  FOREIGN KEY (person_id) REFERENCES persons(id) ON DELETE RESTRICT;
-- dropped by 0120
ALTER TABLE statuses DROP CONSTRAINT IF EXISTS statuses_person_id_fkey;
ALTER TABLE statuses ADD CONSTRAINT statuses_person_id_fkey
  FOREIGN KEY (person_id) REFERENCES persons(id) ON DELETE RESTRICT;
ALTER TABLE key_population DROP CONSTRAINT IF EXISTS key_population_person_id_fkey;
ALTER TABLE key_population ADD CONSTRAINT key_population_person_id_fkey
  FOREIGN KEY (person_id) REFERENCES persons(id) ON DELETE RESTRICT;
ALTER TABLE response_tasks DROP CONSTRAINT IF EXISTS response_tasks_person_id_fkey;
ALTER TABLE response_tasks ADD CONSTRAINT response_tasks_person_id_fkey
  FOREIGN KEY (person_id) REFERENCES persons(id) ON DELETE RESTRICT;
-- never had one: the person a source record of the registry became
ALTER TABLE feed_records ADD CONSTRAINT feed_records_person_id_fkey
  FOREIGN KEY (person_id) REFERENCES persons(id) ON DELETE RESTRICT;
-- venues and devices point at each other (a venue's operator device, a venue device's venue)
ALTER TABLE devices ADD CONSTRAINT devices_venue_id_fkey
  FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE RESTRICT;
ALTER TABLE venues ADD CONSTRAINT venues_operator_device_id_fkey
  FOREIGN KEY (operator_device_id) REFERENCES devices(id) ON DELETE RESTRICT;
ALTER TABLE checkins ADD CONSTRAINT checkins_device_id_fkey
  FOREIGN KEY (device_id) REFERENCES devices(id) ON DELETE RESTRICT;

CREATE OR REPLACE FUNCTION persons_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'the id of person % cannot change: rows elsewhere name it', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  RAISE EXCEPTION 'persons are never deleted (% on table "persons")', TG_OP
    USING ERRCODE = 'restrict_violation',
          HINT = 'a person''s facts, trips and statuses are the record of what their code showed';
END $$;

CREATE TRIGGER persons_never_deleted BEFORE DELETE ON persons
  FOR EACH ROW EXECUTE FUNCTION persons_never_deleted();
CREATE TRIGGER persons_never_truncated BEFORE TRUNCATE ON persons
  FOR EACH STATEMENT EXECUTE FUNCTION persons_never_deleted();
CREATE TRIGGER persons_id_never_changes BEFORE UPDATE OF id ON persons
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION persons_never_deleted();
