-- Which rows of a block of pings its claim wrote, so that a re-import writes the rows that were
-- not good the first time (a phone registered since, a carrier clock no longer ahead) and only
-- those. A bitmap over the block's row positions (line minus the block's first line; bit p is
-- byte p >> 3, mask 1 << (p & 7)). NULL for claims made before this migration: their rows are
-- unknown, so a re-import of such a block still reports every row as a duplicate.
ALTER TABLE ping_blocks ADD COLUMN IF NOT EXISTS written bytea;
