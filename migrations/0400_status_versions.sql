-- Monotonic statuses (docs/DESIGN.md §3): each status records the version of the facts it was
-- computed from — the highest fact id it read and how many facts it read. A status write is applied
-- only when its version (fact_version, fact_count, computed_at) is not older than the stored one, so
-- a recompute that read fewer facts never lands after one that read more. Existing rows start at
-- version 0: any recompute replaces them.
ALTER TABLE statuses ADD COLUMN IF NOT EXISTS fact_version bigint NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN IF NOT EXISTS fact_count integer NOT NULL DEFAULT 0;
