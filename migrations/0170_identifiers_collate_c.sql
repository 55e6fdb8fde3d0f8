-- Source ids, feed and list names, categories and region codes are identifiers: they are looked up
-- and compared for equality, never sorted for people to read. Their columns take the "C" collation
-- (byte order), so their unique keys compare bytes: under a database collation such as C.UTF-8 or
-- en_US.UTF-8, PostgreSQL 15 compares every key through the C library's strcoll (copying both
-- strings first) and sorts them without abbreviated keys. Measured on a key-population import
-- (bench/ingest/kp-harness.ts, 60 000 rows): PostgreSQL CPU 1.77–1.79 s → 1.68–1.71 s.
-- Equality is the same in every deterministic collation, so no lookup or uniqueness changes; a
-- region prefix (`region_code LIKE '5201%'`) can now use the tasks' region index.
ALTER TABLE facts
  ALTER COLUMN source TYPE text COLLATE "C",
  ALTER COLUMN source_record_id TYPE text COLLATE "C";
ALTER TABLE trips
  ALTER COLUMN source TYPE text COLLATE "C",
  ALTER COLUMN source_record_id TYPE text COLLATE "C";
ALTER TABLE feed_records
  ALTER COLUMN feed TYPE text COLLATE "C",
  ALTER COLUMN source_id TYPE text COLLATE "C";
ALTER TABLE key_population
  ALTER COLUMN list TYPE text COLLATE "C",
  ALTER COLUMN category TYPE text COLLATE "C";
ALTER TABLE response_tasks
  ALTER COLUMN source_id TYPE text COLLATE "C",
  ALTER COLUMN region_code TYPE char(6) COLLATE "C";
