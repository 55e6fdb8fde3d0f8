-- key_population_list_idx (0100) had no reader: membership is read by person (the primary key's
-- leading column) and tasks are listed by region; every list row paid an insert into it. A
-- members-of-a-list view, when one is built, can bring it back with the query that needs it.
DROP INDEX IF EXISTS key_population_list_idx;
