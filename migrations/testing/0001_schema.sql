-- The nucleic-acid testing service's own schema (docs/DESIGN.md §7). It may live in a database of
-- its own (HC_TESTING_DATABASE_URL); the code service never reads these tables.
-- Persons are referenced by `person_ref`, never by a code-service row: "p:<resident id>" (booked
-- by a signed-in resident), "s:<code subject>" (scanned code), "d:<doc type>:<keyed hash hex>"
-- (scanned document; the number itself is never stored here).

CREATE SCHEMA IF NOT EXISTS testing;

CREATE TABLE testing.sites (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL,
  region_code  char(6) NOT NULL,
  address      text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE testing.slots (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id    bigint NOT NULL REFERENCES testing.sites(id),
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL,
  capacity   integer NOT NULL CHECK (capacity >= 0),
  booked     integer NOT NULL DEFAULT 0,
  UNIQUE (site_id, starts_at)
);

CREATE TABLE testing.bookings (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slot_id      bigint NOT NULL REFERENCES testing.slots(id),
  person_ref   text NOT NULL,
  status       text NOT NULL DEFAULT 'booked',   -- booked | cancelled
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX testing_bookings_one_per_slot ON testing.bookings (slot_id, person_ref) WHERE status = 'booked';
CREATE INDEX testing_bookings_person_idx ON testing.bookings (person_ref);

-- A tube is opened by the first collector batch that names it; pooled tubes take 10 or 20 swabs.
CREATE TABLE testing.tubes (
  barcode      text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('single', 'pool10', 'pool20')),
  capacity     smallint NOT NULL,
  members      integer NOT NULL DEFAULT 0,
  site_id      bigint REFERENCES testing.sites(id),
  opened_by    bigint NOT NULL,                   -- collector device id
  opened_at    timestamptz NOT NULL,
  lab          text,                              -- set by lab receipt
  received_at  timestamptz
);

CREATE TABLE testing.collections (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tube          text NOT NULL REFERENCES testing.tubes(barcode),
  person_ref    text NOT NULL,
  site_id       bigint,
  device_id     bigint NOT NULL,
  collected_at  timestamptz NOT NULL,
  committed_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tube, person_ref)
);
-- No index on person_ref: collection is the hot path (10 000 rows/s) and nothing looks swabs up
-- by person (retests go through retest_orders). Add one when a query needs it.

-- (lab, tube, version) identifies a result; a correction is a new version, never an update.
CREATE TABLE testing.results (
  lab          text NOT NULL,
  tube         text NOT NULL REFERENCES testing.tubes(barcode),
  version      integer NOT NULL CHECK (version >= 1),
  result       text NOT NULL CHECK (result IN ('negative', 'positive', 'invalid')),
  reported_at  timestamptz NOT NULL,
  PRIMARY KEY (lab, tube, version)
);

-- Every member of a positive pooled tube (and of an invalid tube) is ordered back for a single tube.
CREATE TABLE testing.retest_orders (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_ref     text NOT NULL,
  lab            text NOT NULL,
  tube           text NOT NULL,
  version        integer NOT NULL,
  reason         text NOT NULL,                   -- pooled_positive | invalid
  ordered_at     timestamptz NOT NULL,
  fulfilled_tube text,
  fulfilled_at   timestamptz,
  UNIQUE (lab, tube, version, person_ref)
);
CREATE INDEX testing_retest_open_idx ON testing.retest_orders (person_ref) WHERE fulfilled_at IS NULL;

-- Transactional outbox: written in the same transaction as the change, relayed to the bus.
CREATE TABLE testing.outbox (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject       text NOT NULL,
  payload       jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz
);
CREATE INDEX testing_outbox_pending_idx ON testing.outbox (id) WHERE published_at IS NULL;
