-- Rail and flight trips name their service (train or flight number, e.g. G1234, CA1234), so the
-- passengers who travelled with a case on the same service can be found. Road trips have none.
ALTER TABLE trips ADD COLUMN IF NOT EXISTS service_no text COLLATE "C";

-- Co-travellers: the trips on one service whose journeys overlap a case's.
CREATE INDEX IF NOT EXISTS trips_service_idx ON trips (service_no, departed_at) WHERE service_no IS NOT NULL;
-- Risk areas published later are matched against trips that left from or arrived in their county.
CREATE INDEX IF NOT EXISTS trips_to_region_idx ON trips (to_region, arrived_at);
CREATE INDEX IF NOT EXISTS trips_from_region_idx ON trips (from_region, departed_at);
-- The places worker's periodic pass over trips that came in lately (a lost event is caught up).
CREATE INDEX IF NOT EXISTS trips_arrival_time_idx ON trips (arrival_time);
