-- The testing service's audit log is hash-chained like the platform's (docs/SECURITY.md §Audit log):
-- each row carries its number, the previous row's hash and its own (domain/audit-chain.ts, fields
-- seq, at, actor, action, region_code, detail), appended one writer at a time. Signed checkpoints
-- of the head are kept apart from the log, signed with the platform's code-signing key, so
-- deleting the newest rows or editing a row and recomputing the later hashes no longer verifies
-- (`hc testing audit-verify`). Rows written before this migration keep seq NULL: they were never
-- chained, and verification counts them apart.
ALTER TABLE testing.audit_log ADD COLUMN seq bigint;
ALTER TABLE testing.audit_log ADD COLUMN prev_hash bytea;
ALTER TABLE testing.audit_log ADD COLUMN hash bytea;
ALTER TABLE testing.audit_log ADD CONSTRAINT testing_audit_log_chained
  CHECK ((seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL));
CREATE UNIQUE INDEX testing_audit_log_seq_idx ON testing.audit_log (seq);

CREATE TABLE testing.audit_checkpoints (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seq       bigint      NOT NULL,
  hash      bytea       NOT NULL,
  at        timestamptz NOT NULL,
  kid       bytea       NOT NULL,
  alg       smallint    NOT NULL,
  signature bytea       NOT NULL
);
CREATE INDEX testing_audit_checkpoints_seq_idx ON testing.audit_checkpoints (seq);
