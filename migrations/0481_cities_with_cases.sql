-- Cities with cases (有病例的城市), as the health authority publishes them: a stay in, or a trip
-- to or from, such a city while it is listed records a `city_with_cases_stay` fact (yellow by the
-- default policy). region_code is a prefecture (4 digits) or a county (6 digits).
CREATE TABLE cities_with_cases (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  region_code  text COLLATE "C" NOT NULL CHECK (region_code ~ '^\d{4}(\d{2})?$'),
  since        timestamptz NOT NULL,
  until        timestamptz,                  -- NULL while listed; may be set ahead
  note         text,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_by   text NOT NULL,
  updated_at   timestamptz NOT NULL,
  CHECK (until IS NULL OR until >= since)
);
CREATE INDEX cities_with_cases_region_idx ON cities_with_cases (region_code);
