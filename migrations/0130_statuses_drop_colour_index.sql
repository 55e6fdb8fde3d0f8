-- statuses_colour_idx (0001) had no reader: colour counts aggregate every row of a region and the
-- five values of colour5 make the index useless for that, while every status whose colour changes
-- paid an index insert (the key-population bench recomputes thousands of residents per second).
DROP INDEX IF EXISTS statuses_colour_idx;
