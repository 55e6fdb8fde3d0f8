-- Sign-ins become revocable sessions (docs/SECURITY.md "Sessions"): an access token names its
-- session, and each request checks that the session is live and, for staff, reads the account's
-- current role, region and state. Logout, a disabled account, a new password and a moved officer
-- take effect at once. Tokens issued before this migration name no session and are refused: every
-- resident and staff member signs in again once.
CREATE TABLE sessions (
  id          text PRIMARY KEY,           -- 128 random bits, base64url; named in the access token
  person_id   bigint REFERENCES persons (id) ON DELETE CASCADE,
  staff_id    bigint REFERENCES staff (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  CONSTRAINT sessions_one_subject CHECK ((person_id IS NULL) <> (staff_id IS NULL))
);
CREATE INDEX sessions_person_idx ON sessions (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX sessions_staff_idx ON sessions (staff_id) WHERE staff_id IS NOT NULL;
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
