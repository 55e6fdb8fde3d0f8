-- Core of the platform: residents, facts, computed statuses, policies, keys, accounts, audit.
-- Runs unchanged on PostgreSQL 15 and PGlite.

CREATE TABLE persons (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  doc_type      smallint NOT NULL,
  doc_hash      bytea    NOT NULL,           -- keyed hash of type+number, for lookup
  doc_enc       bytea    NOT NULL,           -- AES-256-GCM of the number
  doc_masked    text     NOT NULL,           -- 5201**********1234
  name_enc      bytea    NOT NULL,
  name_masked   text     NOT NULL,           -- 张*三
  sex           char(1),
  birth_date    date,
  phone_hash    bytea,
  phone_enc     bytea,
  region_code   char(6),
  address_enc   bytea,
  code_subject  text     NOT NULL UNIQUE,    -- pseudonymous subject in the QR, ≥ 80 random bits
  guardian_id   bigint REFERENCES persons(id),
  source        text     NOT NULL DEFAULT 'registry',
  source_record_id text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (doc_type, doc_hash)
);
CREATE INDEX persons_phone_idx ON persons (phone_hash);
CREATE INDEX persons_region_idx ON persons (region_code);

CREATE TABLE facts (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id        bigint NOT NULL REFERENCES persons(id),
  type             text   NOT NULL,
  source           text   NOT NULL,
  source_record_id text   NOT NULL,
  event_time       timestamptz NOT NULL,
  arrival_time     timestamptz NOT NULL DEFAULT now(),
  valid_from       timestamptz NOT NULL,
  valid_until      timestamptz,
  data             jsonb  NOT NULL DEFAULT '{}'::jsonb,
  author           text,
  UNIQUE (source, source_record_id)
);
CREATE INDEX facts_person_idx ON facts (person_id, event_time);
CREATE INDEX facts_valid_until_idx ON facts (valid_until) WHERE valid_until IS NOT NULL;

CREATE TABLE statuses (
  person_id         bigint PRIMARY KEY REFERENCES persons(id),
  colour5           smallint NOT NULL,
  reasons           jsonb    NOT NULL DEFAULT '[]'::jsonb,
  next_review_at    timestamptz,
  policy_version    text     NOT NULL,
  vaccine_doses     smallint NOT NULL DEFAULT 0,
  last_negative_day integer,
  computed_at       timestamptz NOT NULL
);
CREATE INDEX statuses_review_idx ON statuses (next_review_at) WHERE next_review_at IS NOT NULL;
CREATE INDEX statuses_colour_idx ON statuses (colour5);

CREATE TABLE policies (
  version      text PRIMARY KEY,
  document     jsonb NOT NULL,
  active       boolean NOT NULL DEFAULT false,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz
);
CREATE UNIQUE INDEX policies_one_active ON policies (active) WHERE active;

CREATE TABLE signing_keys (
  kid          bytea PRIMARY KEY,
  alg          smallint NOT NULL,
  public_spki  bytea NOT NULL,
  private_enc  bytea NOT NULL,               -- PKCS#8 DER under the master key
  not_before   timestamptz NOT NULL,
  not_after    timestamptz NOT NULL,         -- last moment a token it signed may be valid
  retired_at   timestamptz,                  -- stops signing; stays listed until not_after
  revoked      boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE devices (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL,
  role         text NOT NULL,                -- scanner | venue | tester | lab | carrier | peer
  key_hash     bytea NOT NULL,
  region_code  text,
  venue_id     bigint,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);

CREATE TABLE staff (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  password_hash text NOT NULL,               -- scrypt
  display_name  text NOT NULL,
  role          text NOT NULL,               -- officer | admin
  region_prefix text NOT NULL DEFAULT '',    -- admin-code prefix the officer may read
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE otp_codes (
  phone_hash  bytea PRIMARY KEY,
  code_hash   bytea NOT NULL,
  expires_at  timestamptz NOT NULL,
  attempts    smallint NOT NULL DEFAULT 0,
  sent_at     timestamptz NOT NULL,
  window_start timestamptz NOT NULL,
  window_count smallint NOT NULL DEFAULT 1
);

CREATE TABLE sms_outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  phone_enc   bytea NOT NULL,
  phone_masked text NOT NULL,
  body        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz
);

-- Append-only and hash-chained: hash = SHA-256(prev_hash ‖ canonical row).
CREATE TABLE audit_log (
  seq         bigint PRIMARY KEY,
  at          timestamptz NOT NULL,
  actor       text NOT NULL,
  action      text NOT NULL,
  person_id   bigint,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash   bytea NOT NULL,
  hash        bytea NOT NULL
);
CREATE INDEX audit_person_idx ON audit_log (person_id) WHERE person_id IS NOT NULL;

CREATE TABLE settings (
  key    text PRIMARY KEY,
  value  jsonb NOT NULL
);
