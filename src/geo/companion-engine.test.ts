import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findCompanions, findCompanionsInRange, resolveParams } from './companion-engine.ts';
import { buildCaseIndex } from './case-index.ts';
import { concatPairs } from './pair-builder.ts';
import { referenceCompanions, type Ping } from './companion-reference.ts';
import { haversineMeters } from './haversine.ts';
import { pairsToArray, type CompanionParams, type PingColumns } from './companion-types.ts';

function columns(pings: Ping[], personCount?: number): PingColumns {
  return {
    person: Uint32Array.from(pings, (p) => p.person),
    ts: Uint32Array.from(pings, (p) => p.ts),
    lat: Float64Array.from(pings, (p) => p.lat),
    lon: Float64Array.from(pings, (p) => p.lon),
    personCount: personCount ?? Math.max(0, ...pings.map((p) => p.person)) + 1,
  };
}

const run = (pings: Ping[], cases: number[], params: CompanionParams) =>
  pairsToArray(findCompanions(columns(pings), cases, params));

// Positions on a ~3 km patch of Guiyang, some exactly shared (towers), some jittered.
const BASE_LAT = 26.647;
const BASE_LON = 106.6302;
const arbPosition = fc.oneof(
  fc.record({ lat: fc.constantFrom(26.647, 26.652, 26.6555), lon: fc.constantFrom(106.6302, 106.638) }),
  fc.record({
    lat: fc.double({ min: BASE_LAT - 0.015, max: BASE_LAT + 0.015, noNaN: true }),
    lon: fc.double({ min: BASE_LON - 0.015, max: BASE_LON + 0.015, noNaN: true }),
  }),
);
const arbPing = (people: number) =>
  fc
    .record({
      person: fc.nat({ max: people - 1 }),
      ts: fc.oneof(fc.nat({ max: 12000 }), fc.constantFrom(0, 600, 1200, 1800, 3600, 5400)),
      pos: arbPosition,
    })
    .map(({ person, ts, pos }) => ({ person, ts, lat: pos.lat, lon: pos.lon }));

const arbScenario = fc
  .integer({ min: 2, max: 7 })
  .chain((people) =>
    fc.record({
      pings: fc.array(arbPing(people), { maxLength: 45 }),
      cases: fc.uniqueArray(fc.nat({ max: people - 1 }), { minLength: 1, maxLength: 3 }),
      dupes: fc.array(fc.nat(), { maxLength: 6 }),
      gapS: fc.constantFrom(60, 600, 1800),
      minSeconds: fc.constantFrom(0, 1, 300, 600),
      radiusM: fc.constantFrom(50, 400, 800, 1500),
      cellM: fc.constantFrom(100, 800, 2000),
      seed: fc.nat(),
    }),
  )
  .map((s) => {
    // Duplicate some pings exactly and shuffle: order and duplicates must not matter.
    const pings = [
      ...s.pings,
      ...s.dupes.flatMap((d) => (s.pings.length ? [s.pings[d % s.pings.length]!] : [])),
    ];
    const shuffled = pings
      .map((p, i) => ({ p, k: (i * 2654435761 + s.seed) % 1000003 }))
      .sort((x, y) => x.k - y.k)
      .map((x) => x.p);
    return { ...s, pings: shuffled };
  });

describe('companion engine agrees with the naive reference', () => {
  it('radius mode, random scenarios', () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const params: CompanionParams = {
          mode: 'radius',
          radiusM: s.radiusM,
          gapS: s.gapS,
          minSeconds: s.minSeconds,
        };
        expect(run(s.pings, s.cases, params)).toEqual(referenceCompanions(s.pings, s.cases, params));
      }),
      { numRuns: 400 },
    );
  });

  it('grid mode, random scenarios, default and explicit origin', () => {
    fc.assert(
      fc.property(arbScenario, fc.boolean(), (s, explicit) => {
        const params: CompanionParams = {
          mode: 'grid',
          cellM: s.cellM,
          gapS: s.gapS,
          minSeconds: s.minSeconds,
          ...(explicit ? { gridOrigin: { lat: 26.64, lon: 106.62 } } : {}),
        };
        expect(run(s.pings, s.cases, params)).toEqual(referenceCompanions(s.pings, s.cases, params));
      }),
      { numRuns: 400 },
    );
  });

  it('grid mode with the residence rule', () => {
    fc.assert(
      fc.property(arbScenario, fc.constantFrom(600, 3000, 7200), (s, need) => {
        const params: CompanionParams = {
          mode: 'grid',
          cellM: s.cellM,
          gapS: s.gapS,
          minSeconds: s.minSeconds,
          residence: { windowS: 8000, minSeconds: need },
        };
        expect(run(s.pings, s.cases, params)).toEqual(referenceCompanions(s.pings, s.cases, params));
      }),
      { numRuns: 300 },
    );
  });

  it('radius exactly equal to a ping distance counts as co-located', () => {
    fc.assert(
      fc.property(arbPosition, arbPosition, fc.nat({ max: 1000 }), (p, q, dt) => {
        const r = haversineMeters(p.lat, p.lon, q.lat, q.lon);
        fc.pre(r > 0);
        const pings: Ping[] = [
          { person: 0, ts: 1000, ...p },
          { person: 1, ts: 1000 + dt, ...q },
        ];
        const atRadius = run(pings, [1], { mode: 'radius', radiusM: r, minSeconds: 1 });
        expect(atRadius).toEqual([
          { person: 0, caseId: 1, seconds: 1800 - dt, firstTs: 1000 + dt, lastTs: 2800 },
        ]);
        expect(atRadius).toEqual(
          referenceCompanions(pings, [1], { mode: 'radius', radiusM: r, minSeconds: 1 }),
        );
        const below = { mode: 'radius' as const, radiusM: r * (1 - 1e-12), minSeconds: 1 };
        expect(run(pings, [1], below)).toEqual(referenceCompanions(pings, [1], below));
      }),
      { numRuns: 300 },
    );
  });

  it('radius mode with long case trajectories (index cells with a time directory)', () => {
    // Cases pinging every few minutes for hours at a few towers put dozens of case intervals in
    // one index cell, so the sweep starts its scan from the cell's time directory.
    const arbCaseTrack = fc.record({
      pos: arbPosition,
      t0: fc.nat({ max: 20000 }),
      steps: fc.array(fc.integer({ min: 1, max: 2400 }), { minLength: 10, maxLength: 60 }),
    });
    fc.assert(
      fc.property(arbScenario, fc.array(arbCaseTrack, { minLength: 1, maxLength: 3 }), (s, tracks) => {
        const pings = [...s.pings];
        tracks.forEach((tr, i) => {
          let t = tr.t0;
          for (const d of tr.steps) {
            pings.push({ person: s.cases[i % s.cases.length]!, ts: t, lat: tr.pos.lat, lon: tr.pos.lon });
            t += d;
          }
        });
        const params: CompanionParams = {
          mode: 'radius',
          radiusM: s.radiusM,
          gapS: s.gapS,
          minSeconds: s.minSeconds,
        };
        const cols = columns(pings);
        const x = buildCaseIndex(cols, s.cases, resolveParams(cols, params));
        fc.pre(x.dirSlots > 0);
        expect(run(pings, s.cases, params)).toEqual(referenceCompanions(pings, s.cases, params));
      }),
      { numRuns: 200 },
    );
  });

  it('radius mode, intervals meeting at slot edges over a long span (activity bits)', () => {
    // Case and person intervals that touch or overlap by a second or two, spread over a day, so
    // the cell activity slots decide at their edges in both 32-slot words.
    const arbEdge = fc.record({
      t: fc.nat({ max: 90000 }),
      d: fc.integer({ min: -3, max: 3 }),
      gap: fc.constantFrom(1, 2, 60, 1800),
    });
    fc.assert(
      fc.property(
        fc.array(arbEdge, { minLength: 1, maxLength: 25 }),
        fc.constantFrom(0, 1, 2),
        (edges, minSeconds) => {
          const pings: Ping[] = [{ person: 1, ts: 0, lat: BASE_LAT, lon: BASE_LON }];
          for (const e of edges) {
            pings.push({ person: 1, ts: e.t, lat: BASE_LAT, lon: BASE_LON });
            pings.push({ person: 1, ts: e.t + e.gap, lat: BASE_LAT + 0.5, lon: BASE_LON });
            pings.push({
              person: 0,
              ts: Math.max(0, e.t + e.gap + e.d),
              lat: BASE_LAT + 0.001,
              lon: BASE_LON,
            });
            pings.push({
              person: 0,
              ts: Math.max(0, e.t + e.gap + e.d + 1),
              lat: BASE_LAT + 0.5,
              lon: BASE_LON + 0.5,
            });
          }
          const params: CompanionParams = { mode: 'radius', minSeconds, gapS: 1800 };
          expect(run(pings, [1], params)).toEqual(referenceCompanions(pings, [1], params));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('splitting persons into ranges gives the same pairs as one run', () => {
    fc.assert(
      fc.property(arbScenario, fc.nat({ max: 7 }), (s, cut) => {
        const cols = columns(s.pings, 8);
        const params = resolveParams(cols, {
          mode: 'radius',
          radiusM: s.radiusM,
          gapS: s.gapS,
          minSeconds: s.minSeconds,
        });
        const index = buildCaseIndex(cols, s.cases, params);
        const whole = findCompanionsInRange(cols, index, 0, 8);
        const parts = concatPairs([
          findCompanionsInRange(cols, index, 0, cut),
          findCompanionsInRange(cols, index, cut, 8),
        ]);
        expect(pairsToArray(parts)).toEqual(pairsToArray(whole));
      }),
      { numRuns: 200 },
    );
  });

  it('pings grouped by person (HCPINGS1 flag) give the same pairs as any row order', () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const params: CompanionParams = {
          mode: 'radius',
          radiusM: s.radiusM,
          gapS: s.gapS,
          minSeconds: s.minSeconds,
        };
        const sorted = columns(
          [...s.pings].sort((x, y) => x.person - y.person),
          8,
        );
        const r = pairsToArray(findCompanions({ ...sorted, sortedByPerson: true }, s.cases, params));
        expect(r).toEqual(pairsToArray(findCompanions(columns(s.pings, 8), s.cases, params)));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses pings flagged as sorted that are not', () => {
    const cols = columns([
      { person: 1, ts: 0, lat: 1, lon: 1 },
      { person: 0, ts: 0, lat: 1, lon: 1 },
    ]);
    expect(() => findCompanions({ ...cols, sortedByPerson: true }, [0], { mode: 'radius' })).toThrow(/not/);
  });
});

describe('companion engine, worked examples', () => {
  const at = (person: number, ts: number, lat = BASE_LAT, lon = BASE_LON): Ping => ({ person, ts, lat, lon });

  it('sums overlaps, stops presence at the gap and reports first and last co-located moments', () => {
    const pings = [at(0, 0), at(0, 1000), at(0, 5000), at(1, 500), at(1, 4000), at(1, 5200)];
    // person 0: [0,1000) [1000,2800) [5000,6800); case 1: [500,2300) [4000,5200) [5200,7000)
    expect(run(pings, [1], { mode: 'radius' })).toEqual([
      { person: 0, caseId: 1, seconds: 500 + 1300 + 200 + 1600, firstTs: 500, lastTs: 6800 },
    ]);
  });

  it('a gap of exactly G leaves no hole and a longer one does', () => {
    const pings = [at(0, 0), at(0, 1800), at(1, 0), at(1, 3601)];
    // case 1: [0,1800) [3601,5401); person 0: [0,1800) [1800,3600)
    expect(run(pings, [1], { mode: 'radius', minSeconds: 0 })).toEqual([
      { person: 0, caseId: 1, seconds: 1800, firstTs: 0, lastTs: 1800 },
    ]);
  });

  it('cases are each other companions and never their own', () => {
    const pings = [at(0, 100), at(1, 100), at(2, 100, BASE_LAT + 0.1)];
    expect(run(pings, [0, 1], { mode: 'radius' })).toEqual([
      { person: 0, caseId: 1, seconds: 1800, firstTs: 100, lastTs: 1900 },
      { person: 1, caseId: 0, seconds: 1800, firstTs: 100, lastTs: 1900 },
    ]);
  });

  it('applies the threshold inclusively', () => {
    const pings = [at(0, 0), at(0, 600), at(1, 0)];
    expect(run(pings, [1], { mode: 'radius', gapS: 600, minSeconds: 600 })).toHaveLength(1);
    expect(run(pings, [1], { mode: 'radius', gapS: 600, minSeconds: 601 })).toHaveLength(0);
  });

  it('handles cases across the antimeridian', () => {
    const pings = [at(0, 0, 10, 179.9995), at(1, 0, 10, -179.9995)];
    expect(run(pings, [1], { mode: 'radius', radiusM: 200 })).toHaveLength(1);
    expect(run(pings, [1], { mode: 'radius', radiusM: 50 })).toHaveLength(0);
  });

  it('rejects the residence rule in radius mode', () => {
    expect(() => run([at(0, 0)], [0], { mode: 'radius', residence: true })).toThrow(RangeError);
  });
});
