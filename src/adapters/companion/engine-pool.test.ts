import { describe, expect, it } from 'vitest';
import { EnginePool } from './engine-pool.ts';
import { findCompanions } from '../../geo/companion-engine.ts';
import { pairsToArray, type CompanionPairs, type PingColumns } from '../../geo/companion-types.ts';
import { CITY_BLOCK, blockPings, chooseCases, generateCityBlock } from '../../geo/city-model.ts';

function city(people: number, pings: number): PingColumns {
  const o = { people, pingsPerDay: pings, seed: 21, days: 1, startTs: 1641744000 };
  const parts: Array<{
    count: number;
    person: Uint32Array;
    ts: Uint32Array;
    lat: Float64Array;
    lon: Float64Array;
  }> = [];
  for (let b = 0; b * CITY_BLOCK < people; b++) {
    const n = blockPings(o, b);
    const x = {
      count: 0,
      person: new Uint32Array(n),
      ts: new Uint32Array(n),
      lat: new Float64Array(n),
      lon: new Float64Array(n),
    };
    generateCityBlock(o, b, 0, x);
    parts.push(x);
  }
  const cat = <T extends Uint32Array | Float64Array>(
    get: (x: (typeof parts)[number]) => T,
    make: (n: number) => T,
  ): T => {
    const out = make(pings);
    let o2 = 0;
    for (const p of parts) {
      out.set(get(p), o2);
      o2 += p.count;
    }
    return out;
  };
  return {
    person: cat(
      (x) => x.person,
      (n) => new Uint32Array(n),
    ),
    ts: cat(
      (x) => x.ts,
      (n) => new Uint32Array(n),
    ),
    lat: cat(
      (x) => x.lat,
      (n) => new Float64Array(n),
    ),
    lon: cat(
      (x) => x.lon,
      (n) => new Float64Array(n),
    ),
    personCount: people,
  };
}

const flat = (parts: CompanionPairs[]) => parts.flatMap(pairsToArray);

describe('engine pool', () => {
  it('two threads over person ranges give exactly the single-thread pairs, run after run', async () => {
    const pings = city(9000, 36000);
    const cases = chooseCases(9000, 40, 21);
    const pool = await EnginePool.start(2);
    try {
      expect(pool.threads).toBe(2);
      for (const mode of ['radius', 'grid', 'radius'] as const) {
        const expected = pairsToArray(findCompanions(pings, cases, { mode }));
        expect(expected.length).toBeGreaterThan(20);
        const r = await pool.run(pings, cases, { mode });
        expect(r.parts.length).toBeGreaterThanOrEqual(2);
        expect(flat(r.parts)).toEqual(expected);
      }
    } finally {
      await pool.close();
    }
  });

  it('input grouped by person (HCPINGS1 flag) gives the same pairs through the threads', async () => {
    const pings = city(9000, 36000);
    const cases = chooseCases(9000, 40, 21);
    const order = Array.from(pings.person.keys()).sort(
      (a, b) => pings.person[a]! - pings.person[b]! || a - b,
    );
    const grouped: PingColumns = {
      person: Uint32Array.from(order, (i) => pings.person[i]!),
      ts: Uint32Array.from(order, (i) => pings.ts[i]!),
      lat: Float64Array.from(order, (i) => pings.lat[i]!),
      lon: Float64Array.from(order, (i) => pings.lon[i]!),
      personCount: pings.personCount,
      sortedByPerson: true,
    };
    const pool = await EnginePool.start(2);
    try {
      for (const mode of ['radius', 'grid'] as const) {
        const expected = pairsToArray(findCompanions(pings, cases, { mode }));
        expect(expected.length).toBeGreaterThan(20);
        expect(flat((await pool.run(grouped, cases, { mode })).parts)).toEqual(expected);
      }
    } finally {
      await pool.close();
    }
  });
});
