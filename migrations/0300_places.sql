-- Places (docs/DESIGN.md §8, docs/PLACES.md): risk areas with their full history, venues, check-ins.
-- Check-ins and code-display locations are also written to `stays` (source 'checkin' / 'code').

CREATE TABLE risk_areas (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL,
  level        text NOT NULL CHECK (level IN ('high', 'medium', 'low')),
  kind         text NOT NULL CHECK (kind IN ('polygon', 'circle', 'admin')),
  geometry     jsonb,                       -- GeoJSON Polygon/MultiPolygon (kind polygon)
  center_lat   double precision,            -- kind circle
  center_lon   double precision,
  radius_m     double precision,
  admin_code   text,                        -- 6/9/12-digit GB/T 2260 code (kind admin; optional label otherwise)
  region_code  char(6) NOT NULL,            -- county it lies in: officer scope and itinerary stars
  starts_at    timestamptz NOT NULL,
  lifted_at    timestamptz,                 -- NULL while active; may be set ahead (planned lift)
  version      integer NOT NULL DEFAULT 1,
  note         text,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_by   text NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX risk_areas_active_idx ON risk_areas (lifted_at, starts_at);
CREATE INDEX risk_areas_region_idx ON risk_areas (region_code);

-- Every change of an area, append-only: who, when, what (the whole row after the change + the diff).
CREATE TABLE risk_area_history (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id   bigint NOT NULL REFERENCES risk_areas(id),
  version   integer NOT NULL,
  action    text NOT NULL,                  -- publish | update | lift
  actor     text NOT NULL,
  at        timestamptz NOT NULL,
  changes   jsonb NOT NULL DEFAULT '{}'::jsonb,
  snapshot  jsonb NOT NULL,
  UNIQUE (area_id, version)
);

CREATE TABLE venues (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name           text NOT NULL,
  category       text NOT NULL,
  address        text NOT NULL,
  lat            double precision NOT NULL,
  lon            double precision NOT NULL,
  admin_code     text NOT NULL,             -- county, street or community code
  region_code    char(6) NOT NULL,
  poster_nonce   bytea NOT NULL,            -- in the signed poster; re-printing replaces it
  operator_device_id bigint,                -- the venue's own scanner / operator device
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL,
  active         boolean NOT NULL DEFAULT true
);
CREATE INDEX venues_region_idx ON venues (region_code);

CREATE TABLE checkins (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  venue_id    bigint NOT NULL REFERENCES venues(id),
  person_id   bigint NOT NULL REFERENCES persons(id),
  at          timestamptz NOT NULL,
  method      text NOT NULL,                -- resident-scan | venue-scan
  device_id   bigint
);
CREATE INDEX checkins_venue_idx ON checkins (venue_id, at);
CREATE INDEX checkins_person_idx ON checkins (person_id, at);

-- Re-matching a new area reads the stays inside its bounding box: a partitioned index reaches
-- every existing and future day partition.
CREATE INDEX stays_lat_lon_idx ON stays (lat, lon);
