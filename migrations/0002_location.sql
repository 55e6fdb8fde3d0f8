-- Location data (docs/DESIGN.md §5, 8): raw pings and condensed stays, partitioned by day so
-- retention drops whole partitions; rail and flight trips. Shared by ingestion, risk-area
-- matching and the itinerary card.

CREATE TABLE pings (
  person_id   bigint NOT NULL,
  ts          timestamptz NOT NULL,
  lat         double precision NOT NULL,
  lon         double precision NOT NULL,
  accuracy_m  real,
  source      text NOT NULL DEFAULT 'carrier'
) PARTITION BY RANGE (ts);

-- A stay: one person at one place over [started_at, ended_at). source: carrier | checkin | code | declared
CREATE TABLE stays (
  person_id        bigint NOT NULL,
  started_at       timestamptz NOT NULL,
  ended_at         timestamptz NOT NULL,
  lat              double precision,
  lon              double precision,
  accuracy_m       real,
  region_code      char(6),
  venue_id         bigint,
  source           text NOT NULL,
  source_record_id text NOT NULL,
  PRIMARY KEY (started_at, source, source_record_id)
) PARTITION BY RANGE (started_at);

CREATE TABLE trips (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id        bigint NOT NULL REFERENCES persons(id),
  mode             text NOT NULL,            -- rail | flight | road
  from_region      char(6) NOT NULL,
  to_region        char(6) NOT NULL,
  departed_at      timestamptz NOT NULL,
  arrived_at       timestamptz NOT NULL,
  carriage         text,
  seat             text,
  source           text NOT NULL,
  source_record_id text NOT NULL,
  arrival_time     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, source_record_id)
);
CREATE INDEX trips_person_idx ON trips (person_id, departed_at);

-- Creates the day partition of pings or stays holding `day` (UTC) if it does not exist yet.
CREATE OR REPLACE FUNCTION hc_ensure_day_partition(parent text, day date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  part text := parent || '_' || to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass(part) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                   part, parent, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
    EXECUTE format('CREATE INDEX %I ON %I (person_id)', part || '_person_idx', part);
  END IF;
  RETURN part;
END;
$$;
