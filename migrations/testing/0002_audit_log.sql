-- The testing service's own audit log (docs/DESIGN.md §7, §11): every write — sites and slots by
-- officers (inside their region), bookings by residents, collection batches by tester devices,
-- receipts and results by lab devices — leaves one row, written in the transaction of the change.
-- It lives beside the data it audits because the testing schema may be in a database of its own.
CREATE TABLE testing.audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL,
  actor        text NOT NULL,
  action       text NOT NULL,
  region_code  text,
  detail       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX testing_audit_log_at_idx ON testing.audit_log (at);
