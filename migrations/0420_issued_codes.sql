-- Long-lived codes (paper, offline, vehicle) as issued, so each can be revoked on its own
-- (docs/DESIGN.md §4). code_id is the first 16 bytes of SHA-256 of the code's random cti, the
-- identifier trust lists publish in revokedCodes; it names nobody. A reprint revokes the holder's
-- earlier live codes of the same kind. Rows are kept until the code has expired (then the trust
-- list no longer needs them).
CREATE TABLE issued_codes (
  code_id         bytea PRIMARY KEY CHECK (octet_length(code_id) = 16),
  person_id       bigint NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  kind            text COLLATE "C" NOT NULL CHECK (kind IN ('p', 'o', 'v')),
  issued_at       timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL CHECK (expires_at > issued_at),
  issued_by       text NOT NULL,
  revoked_at      timestamptz,
  revoked_by      text,
  revoked_reason  text COLLATE "C" CHECK (revoked_reason IN ('reprint', 'lost', 'misissued', 'key-compromise', 'other')),
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL) AND (revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX issued_codes_person_live_idx ON issued_codes (person_id, kind) WHERE revoked_at IS NULL;
CREATE INDEX issued_codes_revoked_idx ON issued_codes (expires_at) WHERE revoked_at IS NOT NULL;
