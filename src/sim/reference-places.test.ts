/**
 * The places reference against hand-written cases from docs/PLACES.md (Trips, Co-travellers,
 * Cities with cases, Venues and Matching) and the default `sources` of docs/POLICY.md.
 */
import { describe, expect, it } from 'vitest';
import { placeFacts, type PlacesWorld, type RefTrip } from './reference-places.ts';

const H = 3_600_000;
const D = 24 * H;
const T = Date.UTC(2026, 2, 1);
const world = (w: Partial<PlacesWorld>): PlacesWorld => ({
  trips: [],
  areas: [],
  checkins: [],
  cities: [],
  cases: [],
  ...w,
});
const trip = (resident: number, t: Partial<RefTrip>): RefTrip => ({
  resident,
  mode: 'rail',
  service: 'G1',
  from: '520102',
  to: '520302',
  departed: T,
  arrived: T + 2 * H,
  seq: 1,
  ...t,
});
const high = {
  id: 1,
  level: 'high' as const,
  county: '520102',
  start: T - H,
  lift: T + D,
  seq: 2,
  liftSeq: 2,
};

describe('places reference (docs/PLACES.md)', () => {
  it('a trip end in a county with an active area applies its level, either direction', () => {
    const f = placeFacts(
      world({
        areas: [high, { ...high, id: 2, level: 'medium', county: '520302' }],
        trips: [
          trip(1, {}), // departs the high area's county while active
          trip(2, { from: '520302', to: '520102', departed: T + D - 3 * H, arrived: T + D }), // arrives at the lift
          trip(3, { from: '520103', to: '520111' }), // neither county
          trip(4, { from: '520102', departed: T - 2 * H, arrived: T - H + 1, to: '110105' }), // before the start
        ],
      }),
    );
    expect(f.get(1)).toEqual([
      { kind: 'inbound_high_risk', event: T, lastExposure: T, seq: 2 },
      { kind: 'medium_risk_stay', event: T + 2 * H, seq: 2 },
    ]);
    // the arrival is at the lift (not active), the departure from 遵义 while its medium area was
    expect(f.get(2)).toEqual([{ kind: 'medium_risk_stay', event: T + D - 3 * H, seq: 2 }]);
    expect(f.get(3)).toBeUndefined();
    expect(f.get(4)).toBeUndefined();
  });

  it('co-travellers of a case: same flight and carriage close, other carriage secondary, no overlap nothing', () => {
    const cases = [{ resident: 1, event: T + D, seq: 5, releases: [] }];
    const trips = [
      trip(1, { carriage: '05' }),
      trip(2, { carriage: '5', departed: T + H }), // same carriage, boarded later
      trip(3, { carriage: '12' }),
      trip(4, {}), // carriage unknown
      trip(5, { carriage: '05', departed: T - D, arrived: T - D + 2 * H }), // the day before
      trip(6, { service: 'G2', carriage: '05' }), // another train
      trip(1, { mode: 'flight', service: 'CA9', departed: T - 5 * H, arrived: T - 2 * H }),
      trip(7, { mode: 'flight', service: 'CA9', departed: T - 5 * H, arrived: T - 2 * H }),
    ];
    const f = placeFacts(world({ trips, cases }));
    expect(f.get(2)).toEqual([{ kind: 'close_contact', event: T + 2 * H, lastExposure: T + 2 * H, seq: 5 }]);
    expect(f.get(3)).toEqual([{ kind: 'secondary_contact', event: T + 2 * H, seq: 5 }]);
    expect(f.get(4)).toEqual([{ kind: 'secondary_contact', event: T + 2 * H, seq: 5 }]);
    expect(f.get(5)).toBeUndefined();
    expect(f.get(6)).toBeUndefined();
    expect(f.get(7)).toEqual([{ kind: 'close_contact', event: T - 2 * H, lastExposure: T - 2 * H, seq: 5 }]);
    expect(f.get(1)).toBeUndefined(); // the case is no co-traveller of themself
    // the window: a journey ending more than 4 days before the case's event time does not count
    const late = placeFacts(world({ trips, cases: [{ ...cases[0]!, event: T + 2 * H + 4 * D + 1 }] }));
    expect(late.get(2)).toBeUndefined();
    // a case released before the trips arrived finds nobody; released after, the facts stay
    const rel = (seq: number) => [
      { resident: 1, event: T + D, seq: 5, releases: [{ event: T + 2 * D, seq }] },
    ];
    const later = trips.map((t) => (t.resident === 2 ? { ...t, seq: 9 } : t));
    expect(placeFacts(world({ trips: later, cases: rel(7) })).get(2)).toBeUndefined();
    expect(placeFacts(world({ trips: later, cases: rel(10) })).get(2)).toHaveLength(1);
  });

  it('a trip end in a listed city while listed is a city-with-cases stay', () => {
    const cities = [{ code: '5203', since: T + H, until: T + 3 * H, seq: 4 }];
    const f = placeFacts(
      world({
        cities,
        trips: [
          trip(1, {}), // arrives in 遵义 at T + 2 h
          trip(2, { arrived: T + 3 * H }), // arrives at the end of the listing
          trip(3, { from: '520302', to: '520102', departed: T }), // departs before the listing
          trip(4, { to: '520111' }),
        ],
      }),
    );
    expect(f.get(1)).toEqual([{ kind: 'city_with_cases_stay', event: T + 2 * H, seq: 4 }]);
    expect(f.get(2)).toBeUndefined();
    expect(f.get(3)).toBeUndefined();
    expect(f.get(4)).toBeUndefined();
  });

  it('a check-in at a venue inside an area: the hour after it overlapping the active area', () => {
    const f = placeFacts(
      world({
        areas: [high],
        checkins: [
          { resident: 1, at: T, inAreas: [1], seq: 3 },
          { resident: 2, at: T - 2 * H, inAreas: [1], seq: 3 }, // the hour ends at the area's start
          { resident: 3, at: T - 2 * H - 1, inAreas: [1], seq: 3 }, // ends just before it
          { resident: 4, at: T + D, inAreas: [1], seq: 3 }, // at the lift
          { resident: 5, at: T, inAreas: [], seq: 3 }, // a venue outside
        ],
      }),
    );
    expect(f.get(1)).toEqual([{ kind: 'inbound_high_risk', event: T, lastExposure: T + H, seq: 3 }]);
    expect(f.get(2)).toEqual([{ kind: 'inbound_high_risk', event: T - H, lastExposure: T - H, seq: 3 }]);
    expect(f.get(3)).toBeUndefined();
    expect(f.get(4)).toBeUndefined();
    expect(f.get(5)).toBeUndefined();
    // lifted (at T + D) after resident 4's check-in at T + D was matched: the fact stays
    const lifted = { ...high, liftSeq: 4 };
    const seqs = [3, 5];
    const [kept, none] = seqs.map((seq) =>
      placeFacts(world({ areas: [lifted], checkins: [{ resident: 4, at: T + D, inAreas: [1], seq }] })).get(
        4,
      ),
    );
    expect(kept).toEqual([{ kind: 'inbound_high_risk', event: T + D, lastExposure: T + D + H, seq: 3 }]);
    expect(none).toBeUndefined();
  });
});

describe('companions reference (docs/COMPANIONS.md, radius mode)', () => {
  const M = 60_000;
  const at = (resident: number, from: number, lat: number, n = 7, seq = 1) => ({
    resident,
    pings: Array.from({ length: n }, (_, k) => ({ ts: from + k * 10 * M, lat, lon: 106.67 })),
    seq,
  });
  // 12:00 UTC+8
  const T0 = Date.UTC(2026, 2, 1, 4);
  const cases = [{ resident: 1, event: T0 + 12 * H, seq: 9, releases: [] }];

  it('presence within the radius for the threshold: a companion, event at the end of the latest overlap', () => {
    const f = placeFacts(
      world({
        cases,
        pings: [
          at(1, T0, 26.44),
          at(2, T0, 26.44), // beside the case
          at(3, T0, 26.4445), // 500 m away
          at(4, T0, 26.467), // 3 km away
          at(5, T0 + 3 * H, 26.44), // there 3 h later: the case's last ping covered 30 min
          at(6, T0 + 80 * M, 26.44, 1), // one ping covering the last 10 min of the case's last 30: the threshold
          at(7, T0 + 85 * M, 26.44, 1), // 5 min of overlap: under the threshold
        ],
      }),
    );
    // the case covers [T0, T0 + 60 min) by its pings 10 min apart, then its last ping 30 min
    expect(f.get(2)).toEqual([{ kind: 'companion', event: T0 + 90 * M, seq: 9 }]);
    expect(f.get(3)).toEqual([{ kind: 'companion', event: T0 + 90 * M, seq: 9 }]);
    expect(f.get(4)).toBeUndefined();
    expect(f.get(5)).toBeUndefined();
    expect(f.get(6)).toEqual([{ kind: 'companion', event: T0 + 90 * M, seq: 9 }]);
    expect(f.get(7)).toBeUndefined();
    expect(f.get(1)).toBeUndefined(); // not their own companion
  });

  it('only the case days before its event time count, and not once released before the pings came', () => {
    const pings = [at(1, T0, 26.44), at(2, T0, 26.44)];
    const old = [{ ...cases[0]!, event: T0 + 5 * D }];
    expect(placeFacts(world({ cases: old, pings })).get(2)).toBeUndefined();
    const released = [{ ...cases[0]!, releases: [{ event: T0 + D, seq: 0.5 }] }];
    expect(placeFacts(world({ cases: released, pings })).get(2)).toBeUndefined();
    // a run covers one UTC+8 day: the case's 23:40 ping would cover 00:00-00:10, but not across midnight
    const night = Date.UTC(2026, 2, 1, 15, 30); // 23:30 UTC+8
    const split = placeFacts(
      world({ cases, pings: [at(1, night, 26.44, 2), at(2, night + 30 * M, 26.44, 2)] }),
    );
    expect(split.get(2)).toBeUndefined();
  });
});
