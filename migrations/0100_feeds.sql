-- Ingestion of the four data sources (docs/DESIGN.md §5): idempotency records, key populations (重点人群)
-- and the community response tasks they open. Runs unchanged on PostgreSQL 15 and PGlite.

-- Source records already taken in, for feeds whose target table has no source id of its own
-- (persons). Facts and trips carry (source, source_record_id) themselves.
CREATE TABLE feed_records (
  feed         text NOT NULL,
  source_id    text NOT NULL,
  person_id    bigint,
  arrival_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (feed, source_id)
);

-- Pings are loaded with COPY in blocks; a block is one atomic statement tagged with its batch id,
-- so a block that is present in full is recognised by its first row and never loaded twice.
ALTER TABLE pings ADD COLUMN IF NOT EXISTS batch_id bigint;

-- Current membership of key-population lists, one row per (person, list, category).
CREATE TABLE key_population (
  person_id      bigint NOT NULL REFERENCES persons(id),
  list           text   NOT NULL,
  category       text   NOT NULL,           -- case | close_contact | secondary_contact | companion | inbound_high_risk
  tier           text   NOT NULL,           -- high | medium
  entered_at     timestamptz NOT NULL,      -- event time of the entry
  changed_at     timestamptz NOT NULL,      -- event time of the latest entry, change or release
  released_at    timestamptz,
  last_source_id text   NOT NULL,
  PRIMARY KEY (person_id, list, category)
);
CREATE INDEX key_population_list_idx ON key_population (list);

-- A community response task (社区响应): opened when someone enters a key population, worked by
-- the officers of the person's home region: open → contacted → tested → closed.
CREATE TABLE response_tasks (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id   bigint NOT NULL REFERENCES persons(id),
  region_code char(6) NOT NULL DEFAULT '000000',
  list        text NOT NULL,
  category    text NOT NULL,
  tier        text NOT NULL,
  source_id   text NOT NULL,                -- the key-population record that opened it
  state       text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'contacted', 'tested', 'closed')),
  note        text,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  updated_by  text,
  UNIQUE (source_id)
);
CREATE INDEX response_tasks_region_idx ON response_tasks (region_code, state, id);
