-- Companion runs of the platform (docs/COMPANIONS.md "Platform runs"): which days and which
-- cases have been run against the retained pings, so that several companion processes run each
-- once, a restarted process catches up on the days it missed, and operators see what ran when.
-- A claim that was never finished is taken over after a while (its process died).
CREATE TABLE companion_runs (
  kind        text        NOT NULL CHECK (kind IN ('day', 'case')),
  key         text        NOT NULL,          -- day YYYY-MM-DD (UTC+8), or the case fact's id
  claimed_at  timestamptz NOT NULL,
  finished_at timestamptz,
  pairs       integer,                       -- records produced; -1: published by tile workers
  PRIMARY KEY (kind, key)
);
CREATE INDEX companion_runs_claimed_idx ON companion_runs (claimed_at DESC);
