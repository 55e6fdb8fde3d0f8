-- Each api process keeps the list of residents' sessions that were ended (logout) and not yet
-- expired, read again every few seconds from the newest revocations (docs/SECURITY.md "Sessions"):
-- a resident's session is then read from the table once per process instead of on every code
-- display. This index makes that read touch only revoked sessions.
CREATE INDEX IF NOT EXISTS sessions_revoked_residents_idx ON sessions (revoked_at)
  WHERE person_id IS NOT NULL AND revoked_at IS NOT NULL;
