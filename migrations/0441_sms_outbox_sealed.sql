-- The SMS outbox keeps only what the gateway needs (phone and text), both encrypted, and only
-- until the message is delivered or its one-time code has expired. Rows of the earlier layout
-- held the text in clear; they are all past their code's lifetime and are dropped.
DELETE FROM sms_outbox;
ALTER TABLE sms_outbox DROP COLUMN body;
ALTER TABLE sms_outbox DROP COLUMN phone_masked;
ALTER TABLE sms_outbox DROP COLUMN sent_at;
ALTER TABLE sms_outbox ADD COLUMN text_enc bytea NOT NULL;
ALTER TABLE sms_outbox ADD COLUMN expires_at timestamptz NOT NULL;
ALTER TABLE sms_outbox ADD COLUMN attempts smallint NOT NULL DEFAULT 0;
ALTER TABLE sms_outbox ADD COLUMN next_attempt_at timestamptz NOT NULL;
CREATE INDEX sms_outbox_due_idx ON sms_outbox (next_attempt_at);
CREATE INDEX sms_outbox_expires_idx ON sms_outbox (expires_at);
