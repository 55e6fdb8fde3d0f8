-- Integrity by the database for the day-partitioned location tables (docs/DESIGN.md §5, §14): every ping
-- and every stay names a person that exists, and a stay's venue exists.
--
-- A foreign key checks and locks the referenced row once per inserted row; the bulk pings path
-- writes hundreds of thousands of rows a second with one COPY per block, so these tables get a
-- check per statement instead: after each statement, the rows it wrote are looked up in persons (and
-- venues) in one anti-join, and the statement fails whole with the foreign key's SQLSTATE (23503)
-- when any row names nobody. The delete side needs no lock: persons are never deleted and their id
-- never changes (0500), and venues are never deleted either (they are deactivated: `active`).
--
-- A statement-level trigger fires for the table a statement names: on the parent when rows are
-- routed through it (stays, multi-day ping blocks), on the partition when a one-day block is copied
-- straight into it. So the trigger sits on both parents and on every partition, the existing ones
-- here and the new ones where hc_ensure_day_partition creates them.

CREATE OR REPLACE FUNCTION hc_rows_name_persons() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing bigint;
BEGIN
  SELECT n.person_id INTO missing FROM (SELECT DISTINCT person_id FROM new_rows) n
   WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = n.person_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%_person_id_fkey"', TG_TABLE_NAME, TG_ARGV[0]
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key (person_id)=(%s) is not present in table "persons".', missing);
  END IF;
  IF TG_ARGV[0] = 'stays' THEN
    SELECT n.venue_id INTO missing FROM (SELECT DISTINCT venue_id FROM new_rows WHERE venue_id IS NOT NULL) n
     WHERE NOT EXISTS (SELECT 1 FROM venues v WHERE v.id = n.venue_id) LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "stays_venue_id_fkey"', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation',
              DETAIL = format('Key (venue_id)=(%s) is not present in table "venues".', missing);
    END IF;
  END IF;
  RETURN NULL;
END $$;

-- Puts the insert and update checks on one table (a parent or a day partition) of pings or stays.
CREATE OR REPLACE FUNCTION hc_ensure_reference_triggers(tbl text, parent text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(tbl) AND tgname = 'references_exist_insert') THEN
    EXECUTE format('CREATE TRIGGER references_exist_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION hc_rows_name_persons(%L)', tbl, parent);
    EXECUTE format('CREATE TRIGGER references_exist_update AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION hc_rows_name_persons(%L)', tbl, parent);
  END IF;
END;
$$;

-- As in 0110, and every partition gets the reference checks.
CREATE OR REPLACE FUNCTION hc_ensure_day_partition(parent text, day date, with_index boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  part text := parent || '_' || to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass(part) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                   part, parent, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
    PERFORM hc_ensure_reference_triggers(part, parent);
  END IF;
  IF with_index THEN
    PERFORM hc_ensure_day_index(parent, day);
  END IF;
  RETURN part;
END;
$$;

DO $$
DECLARE
  r record;
BEGIN
  PERFORM hc_ensure_reference_triggers('pings', 'pings');
  PERFORM hc_ensure_reference_triggers('stays', 'stays');
  FOR r IN SELECT c.relname AS part, p.relname AS parent
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname IN ('pings', 'stays')
  LOOP
    PERFORM hc_ensure_reference_triggers(r.part, r.parent);
  END LOOP;
END $$;

-- Rows written before this migration are checked once.
DO $$
DECLARE
  missing bigint;
BEGIN
  SELECT x.person_id INTO missing FROM (SELECT person_id FROM pings UNION SELECT person_id FROM stays) x
   WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = x.person_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'pings or stays name person %, who does not exist', missing USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT s.venue_id INTO missing FROM stays s
   WHERE s.venue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM venues v WHERE v.id = s.venue_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'stays name venue %, which does not exist', missing USING ERRCODE = 'foreign_key_violation';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION venues_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'venues are never deleted (% on table "venues"): deactivate one instead', TG_OP
    USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER venues_never_deleted BEFORE DELETE ON venues
  FOR EACH ROW EXECUTE FUNCTION venues_never_deleted();
CREATE TRIGGER venues_never_truncated BEFORE TRUNCATE ON venues
  FOR EACH STATEMENT EXECUTE FUNCTION venues_never_deleted();
