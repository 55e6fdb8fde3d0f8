-- Signed checkpoints of the audit log's head (docs/SECURITY.md §Audit log): the head's sequence
-- number and hash at a time, signed with the platform's code-signing key. Kept outside audit_log
-- and published (GET /v1/audit/checkpoints, `hc audit checkpoint`), so deleting the newest rows
-- or editing a row and recomputing the later hashes no longer passes `hc audit verify`.
CREATE TABLE audit_checkpoints (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seq       bigint      NOT NULL,
  hash      bytea       NOT NULL,
  at        timestamptz NOT NULL,
  kid       bytea       NOT NULL,
  alg       smallint    NOT NULL,
  signature bytea       NOT NULL
);
CREATE INDEX audit_checkpoints_seq_idx ON audit_checkpoints (seq);
