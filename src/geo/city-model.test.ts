import { describe, expect, it } from 'vitest';
import {
  CITY_BLOCK,
  blockPings,
  chooseCases,
  cityPersonId,
  generateCityBlock,
  type CityOptions,
} from './city-model.ts';

const o: CityOptions = { people: 10_000, pingsPerDay: 37_000, seed: 9, days: 1, startTs: 1641744000 };
const block = (b: number, byPerson = false) => {
  const n = blockPings(o, b);
  const x = {
    count: 0,
    person: new Uint32Array(n),
    ts: new Uint32Array(n),
    lat: new Float64Array(n),
    lon: new Float64Array(n),
  };
  generateCityBlock(o, b, 0, x, byPerson);
  return Array.from({ length: x.count }, (_, k) => [x.person[k]!, x.ts[k]!, x.lat[k]!, x.lon[k]!] as const);
};

describe('synthetic city', () => {
  it('block quotas add up to exactly the requested pings', () => {
    let total = 0;
    for (let b = 0; b * CITY_BLOCK < o.people; b++) total += blockPings(o, b);
    expect(total).toBe(37_000);
  });

  it('is deterministic and the person order holds the same rows as the time order', () => {
    const a = block(1);
    expect(block(1)).toEqual(a);
    const byPerson = block(1, true);
    const key = (r: readonly number[]) => r.join(',');
    expect(byPerson.map(key).sort()).toEqual(a.map(key).sort());
    for (let i = 1; i < a.length; i++) expect(a[i]![1] >= a[i - 1]![1]).toBe(true);
    for (let i = 1; i < byPerson.length; i++) {
      const [p, t] = byPerson[i]!;
      const [q, u] = byPerson[i - 1]!;
      expect(p > q || (p === q && t >= u)).toBe(true);
    }
  });

  it('keeps everyone in the Guiyang area during the day, everyone pinging at least once', () => {
    const rows = block(0);
    const seen = new Set(rows.map((r) => r[0]));
    expect(seen.size).toBe(CITY_BLOCK);
    for (const [, ts, lat, lon] of rows) {
      expect(ts - o.startTs).toBeGreaterThanOrEqual(0);
      expect(ts - o.startTs).toBeLessThan(86400);
      expect(lat).toBeGreaterThan(26);
      expect(lat).toBeLessThan(27.5);
      expect(lon).toBeGreaterThan(106);
      expect(lon).toBeLessThan(107.5);
    }
  });

  it('person ids are unique and cases are distinct people', () => {
    const ids = new Set(Array.from({ length: 50_000 }, (_, i) => cityPersonId(i, 3)));
    expect(ids.size).toBe(50_000);
    const cases = chooseCases(1000, 100, 3);
    expect(new Set(cases).size).toBe(100);
    expect(chooseCases(1000, 100, 3)).toEqual(cases);
  });
});
