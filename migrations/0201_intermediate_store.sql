-- The intermediate store (中间库): the code service's own copy of what the testing service
-- published. Code display and resident pages read only these tables, so a testing outage never
-- reaches them. Rows are keyed by what identifies them upstream, so redeliveries change nothing.

CREATE TABLE intermediate_results (
  lab          text NOT NULL,
  tube         text NOT NULL,
  version      integer NOT NULL,
  result       text NOT NULL,
  pooled       boolean NOT NULL,
  reported_at  timestamptz NOT NULL,
  stored_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (lab, tube, version)
);

CREATE TABLE intermediate_result_members (
  lab           text NOT NULL,
  tube          text NOT NULL,
  version       integer NOT NULL,
  person_ref    text NOT NULL,
  person_id     bigint REFERENCES persons(id),    -- null when the reference matches no resident
  collected_at  timestamptz NOT NULL,
  result        text NOT NULL,
  pooled        boolean NOT NULL,
  reported_at   timestamptz NOT NULL,
  retest        boolean NOT NULL DEFAULT false,   -- the testing service ordered a single-tube retest
  PRIMARY KEY (lab, tube, version, person_ref)
);
CREATE INDEX intermediate_members_person_idx ON intermediate_result_members (person_id, collected_at DESC) WHERE person_id IS NOT NULL;

CREATE TABLE intermediate_bookings (
  booking_id   bigint PRIMARY KEY,
  person_id    bigint NOT NULL REFERENCES persons(id),
  site_name    text NOT NULL,
  site_address text NOT NULL,
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  status       text NOT NULL,
  seq          bigint NOT NULL,                   -- upstream outbox id: older events never overwrite newer
  stored_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX intermediate_bookings_person_idx ON intermediate_bookings (person_id, starts_at DESC);

-- "As of": the last moment the store heard from the testing service (results or heartbeat).
CREATE TABLE intermediate_watermark (
  source         text PRIMARY KEY,
  heard_at       timestamptz NOT NULL,
  upstream_at    timestamptz NOT NULL
);
