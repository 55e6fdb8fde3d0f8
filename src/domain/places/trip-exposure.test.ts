import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SOURCE_RULES } from '../policy/sources.policy.ts';
import {
  coTravelFacts,
  tripAreaFacts,
  tripRegionPrefix,
  type AreaForTrips,
  type TripForMatch,
} from './trip-exposure.ts';

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 10, 1);
const trip = (o: Partial<TripForMatch>): TripForMatch => ({
  id: 1,
  personId: 1,
  mode: 'rail',
  fromRegion: '520102',
  toRegion: '520300',
  departedAt: T0,
  arrivedAt: T0 + 2 * H,
  service: 'G1234',
  carriage: '05',
  ...o,
});
const area = (o: Partial<AreaForTrips>): AreaForTrips => ({
  id: 7,
  name: 'A',
  level: 'high',
  regionCode: '520102',
  startsAt: T0 - DAY,
  liftedAt: Infinity,
  ...o,
});
const levels = DEFAULT_SOURCE_RULES.tripLevels;
const rules = DEFAULT_SOURCE_RULES.coTravellers;

describe('trips through risk areas', () => {
  it('a trip region matches at its own precision, or by prefecture when the policy says so', () => {
    expect(tripRegionPrefix('520102', 'county')).toBe('520102');
    expect(tripRegionPrefix('520102', 'prefecture')).toBe('5201');
    expect(tripRegionPrefix('520100', 'county')).toBe('5201');
    expect(tripRegionPrefix('110000', 'county')).toBe('11');
  });

  it('either end inside the area’s window matches, with the policy’s fact type per level', () => {
    const f = tripAreaFacts([trip({})], [area({})], levels, 'county', 0);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      type: 'inbound_high_risk',
      eventTime: T0,
      sourceRecordId: '7:high:trip:1:from',
    });
    const arrival = tripAreaFacts(
      [trip({})],
      [area({ regionCode: '520302', level: 'medium' })],
      levels,
      'prefecture',
      0,
    );
    expect(arrival[0]).toMatchObject({ type: 'medium_risk_stay', eventTime: T0 + 2 * H });
    // A trip naming its county does not match another county of the prefecture; naming the prefecture, it does.
    expect(
      tripAreaFacts([trip({ toRegion: '520303' })], [area({ regionCode: '520302' })], levels, 'county', 0),
    ).toHaveLength(0);
    expect(tripAreaFacts([trip({})], [area({ regionCode: '520302' })], levels, 'county', 0)).toHaveLength(1);
    expect(tripAreaFacts([trip({})], [area({ level: 'low' })], levels, 'county', 0)).toHaveLength(0);
    expect(tripAreaFacts([trip({})], [area({ liftedAt: T0 })], levels, 'county', 0)).toHaveLength(0);
    expect(tripAreaFacts([trip({})], [area({ startsAt: T0 + 1 })], levels, 'county', 0)).toHaveLength(0);
    expect(tripAreaFacts([trip({})], [area({})], { ...levels, high: null }, 'county', 0)).toHaveLength(0);
    expect(tripAreaFacts([trip({})], [area({})], levels, 'county', T0 + 1)).toHaveLength(0);
  });

  it('matching is per (area, trip, end): the same input gives the same facts in any order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: -48, max: 48 }), { minLength: 1, maxLength: 4 }),
        (hours, starts) => {
          const trips = hours.map((h, i) =>
            trip({ id: i + 1, departedAt: T0 + h * H, arrivedAt: T0 + (h + 1) * H }),
          );
          const areas = starts.map((s, i) => area({ id: i + 1, startsAt: T0 + s * H }));
          const a = tripAreaFacts(trips, areas, levels, 'county', 0)
            .map((f) => f.sourceRecordId)
            .sort();
          const b = tripAreaFacts([...trips].reverse(), [...areas].reverse(), levels, 'county', 0)
            .map((f) => f.sourceRecordId)
            .sort();
          expect(a).toEqual(b);
          expect(new Set(a).size).toBe(a.length);
        },
      ),
    );
  });
});

describe('co-travellers', () => {
  const caseTrip = trip({ id: 1, personId: 1 });
  it('tiers: same carriage (05 = 5), other carriage, same flight; road and other services none', () => {
    const others = [
      trip({ id: 2, personId: 2, carriage: '5' }),
      trip({ id: 3, personId: 3, carriage: '08' }),
      trip({ id: 4, personId: 4, carriage: null }),
      trip({ id: 5, personId: 5, service: 'G1235' }),
      trip({ id: 6, personId: 1 }),
    ];
    const f = coTravelFacts(caseTrip, T0, others, rules);
    expect(f.map((x) => [x.personId, x.type])).toEqual([
      [2, 'close_contact'],
      [3, 'secondary_contact'],
      [4, 'secondary_contact'],
    ]);
    const flight = trip({ mode: 'flight', service: 'CA1', carriage: null });
    expect(
      coTravelFacts(
        flight,
        T0,
        [trip({ id: 9, personId: 9, mode: 'flight', service: 'CA1', carriage: null })],
        rules,
      )[0]?.type,
    ).toBe('close_contact');
    const road = trip({ mode: 'road', service: 'B1' });
    expect(
      coTravelFacts(road, T0, [trip({ id: 9, personId: 9, mode: 'road', service: 'B1' })], rules),
    ).toEqual([]);
  });

  it('only overlapping journeys, and only within the window before the case', () => {
    const later = trip({ id: 2, personId: 2, departedAt: T0 + 3 * H, arrivedAt: T0 + 5 * H });
    expect(coTravelFacts(caseTrip, T0, [later], rules)).toEqual([]);
    const partly = trip({ id: 2, personId: 2, departedAt: T0 + H, arrivedAt: T0 + 5 * H });
    expect(coTravelFacts(caseTrip, T0, [partly], rules)[0]).toMatchObject({
      eventTime: T0 + 2 * H,
      data: { lastExposureAt: T0 + 2 * H },
    });
    // Case reported 4 days after the journey: inside the default 4-day window; 5 days: outside.
    expect(coTravelFacts(caseTrip, T0 + 2 * H + 4 * DAY, [partly], rules)).toHaveLength(1);
    expect(coTravelFacts(caseTrip, T0 + 2 * H + 5 * DAY, [partly], rules)).toHaveLength(0);
    expect(coTravelFacts(caseTrip, T0, [partly], { ...rules, sameCarriage: null })).toEqual([]);
  });
});
