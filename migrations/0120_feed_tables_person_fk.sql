-- Key-population rows per second (bench/results/ingest.md): the foreign keys to persons
-- of the three high-volume tables written once per listed person are dropped. Each one cost a
-- per-row trigger that looks the person up and locks it FOR KEY SHARE (about a third of the
-- server's time in a key-population import, with the one on facts).
--
-- Integrity is kept by construction, and tested (src/services/feeds/key-population.ingest.test.ts):
-- - persons are never deleted (no code path deletes or truncates them);
-- - statuses has one writer, StatusService.recompute, which writes only the ids it has just read
--   from persons (unknown ids are skipped);
-- - key_population and response_tasks have one writer each, the key-population feed, which writes
--   only persons its resolver found in persons (unknown documents and phones are row errors).
-- facts keeps its foreign key: it has many writers, some of which take a person id from a request.
ALTER TABLE statuses DROP CONSTRAINT IF EXISTS statuses_person_id_fkey;
ALTER TABLE key_population DROP CONSTRAINT IF EXISTS key_population_person_id_fkey;
ALTER TABLE response_tasks DROP CONSTRAINT IF EXISTS response_tasks_person_id_fkey;
