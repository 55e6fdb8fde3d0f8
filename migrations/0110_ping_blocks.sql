-- Cheaper idempotency and bulk loading for pings (bench/results/ingest.md).
--
-- A block of pings is claimed in `ping_blocks` in the same transaction as its COPY: the claim is a
-- primary-key lookup (it was a probe of the block's first row through the partition's person_id
-- index), and two loaders racing for one block serialise on the key, so the loser sees a duplicate.
-- last_day: the newest UTC day the block wrote to; retention forgets the block with that partition.
CREATE TABLE ping_blocks (
  batch_id  bigint PRIMARY KEY,
  rows      integer NOT NULL,
  last_day  date NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ping_blocks_day_idx ON ping_blocks (last_day);

-- Blocks loaded before this migration are recognised the same way.
INSERT INTO ping_blocks (batch_id, rows, last_day)
SELECT batch_id, count(*)::int, max((ts AT TIME ZONE 'UTC')::date) FROM pings WHERE batch_id IS NOT NULL GROUP BY batch_id
ON CONFLICT DO NOTHING;

-- A day partition of pings or stays; with_index = false leaves out its person_id index, for a bulk
-- load into a partition that did not exist before (the index is then built once, sorted, by
-- hc_ensure_day_index at the end of the load, instead of row by row). Called for an existing
-- partition with with_index (every other writer), it also builds an index a killed load left out.
DROP FUNCTION IF EXISTS hc_ensure_day_partition(text, date);
CREATE OR REPLACE FUNCTION hc_ensure_day_partition(parent text, day date, with_index boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  part text := parent || '_' || to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass(part) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                   part, parent, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
  END IF;
  IF with_index THEN
    PERFORM hc_ensure_day_index(parent, day);
  END IF;
  RETURN part;
END;
$$;

-- Builds the person_id index of a day partition if it is missing; returns true if it built one.
CREATE OR REPLACE FUNCTION hc_ensure_day_index(parent text, day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  part text := parent || '_' || to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass(part) IS NULL OR to_regclass(part || '_person_idx') IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (person_id)', part || '_person_idx', part);
  RETURN true;
END;
$$;
