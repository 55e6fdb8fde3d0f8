import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  M_PER_DEG,
  discIntersects,
  distanceToEdgesM,
  haversineM,
  parsePolygonal,
  pointInPolygon,
  ringSelfIntersects,
  toGeoJson,
  type AreaGeometry,
} from './area-geometry.ts';
import { AreaIndex, type IndexedArea } from './area-index.ts';

// A 10 m × 10 m shop in Guiyang: lon 106.7000–106.7000+dx, lat 26.5800–26.5800+dy.
const LAT = 26.58;
const LON = 106.7;
const dy = 10 / M_PER_DEG;
const dx = 10 / (M_PER_DEG * Math.cos((LAT * Math.PI) / 180));
const shopGeo = {
  type: 'Polygon',
  coordinates: [
    [
      [LON, LAT],
      [LON + dx, LAT],
      [LON + dx, LAT + dy],
      [LON, LAT + dy],
      [LON, LAT],
    ],
  ],
};
function shop(): AreaGeometry {
  const p = parsePolygonal(shopGeo);
  if (!p.ok) throw new Error(p.reason);
  return p.geometry;
}
/** a point `m` metres east of the shop's east edge, at mid height */
function eastOf(m: number): { lat: number; lon: number } {
  return { lat: LAT + dy / 2, lon: LON + dx + m / (M_PER_DEG * Math.cos(((LAT + dy / 2) * Math.PI) / 180)) };
}

describe('area geometry', () => {
  it('point in polygon: inside, outside, holes', () => {
    const g = shop();
    if (g.kind !== 'polygons') throw new Error();
    expect(pointInPolygon(LON + dx / 2, LAT + dy / 2, g.polygons[0]!)).toBe(true);
    expect(pointInPolygon(LON + 2 * dx, LAT + dy / 2, g.polygons[0]!)).toBe(false);
    const withHole = parsePolygonal({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [10, 0],
          [10, 10],
          [0, 10],
        ],
        [
          [4, 4],
          [6, 4],
          [6, 6],
          [4, 6],
          [4, 4],
        ],
      ],
    });
    if (!withHole.ok || withHole.geometry.kind !== 'polygons') throw new Error();
    expect(pointInPolygon(5, 5, withHole.geometry.polygons[0]!)).toBe(false);
    expect(pointInPolygon(2, 2, withHole.geometry.polygons[0]!)).toBe(true);
  });

  it('distance to edges in metres', () => {
    const g = shop();
    if (g.kind !== 'polygons') throw new Error();
    const p = eastOf(30);
    expect(distanceToEdgesM(p.lat, p.lon, g.polygons)).toBeCloseTo(30, 1);
  });

  it('disc rule: inside matches at r = 0; outside needs r ≥ distance; edges are inclusive', () => {
    const g = shop();
    expect(discIntersects(g, LAT + dy / 2, LON + dx / 2, 0)).toBe(true);
    const p = eastOf(30);
    expect(discIntersects(g, p.lat, p.lon, 0)).toBe(false);
    expect(discIntersects(g, p.lat, p.lon, 29)).toBe(false);
    expect(discIntersects(g, p.lat, p.lon, 31)).toBe(true);
    // exactly on a vertex
    expect(discIntersects(g, LAT, LON, 0)).toBe(true);
  });

  it('circle areas use haversine distance plus accuracy', () => {
    const c: AreaGeometry = { kind: 'circle', lat: LAT, lon: LON, radiusM: 50 };
    const p = { lat: LAT + 80 / M_PER_DEG, lon: LON };
    expect(haversineM(LAT, LON, p.lat, p.lon)).toBeCloseTo(80, 0);
    expect(discIntersects(c, p.lat, p.lon, 25)).toBe(false);
    expect(discIntersects(c, p.lat, p.lon, 31)).toBe(true);
  });

  it('refuses bad GeoJSON and closes open rings', () => {
    expect(parsePolygonal({ type: 'Point', coordinates: [1, 2] }).ok).toBe(false);
    expect(
      parsePolygonal({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 1],
          ],
        ],
      }).ok,
    ).toBe(false);
    expect(
      parsePolygonal({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [200, 1],
            [1, 1],
          ],
        ],
      }).ok,
    ).toBe(false);
    const open = parsePolygonal({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
        ],
      ],
    });
    expect(open.ok && toGeoJson(open.geometry).coordinates[0]).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ]);
  });

  it('refuses rings that cross or touch themselves; simple ones, concave included, pass', () => {
    const poly = (ring: number[][]) => parsePolygonal({ type: 'Polygon', coordinates: [ring] });
    const bowTie = [
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ];
    expect(poly(bowTie)).toEqual({ ok: false, reason: 'a ring must not cross or touch itself' });
    // a pinch: the ring passes through one of its own vertices
    expect(
      poly([
        [0, 0],
        [2, 0],
        [2, 2],
        [1, 0],
        [0, 2],
        [0, 0],
      ]).ok,
    ).toBe(false);
    // a spike back along an edge
    expect(
      poly([
        [0, 0],
        [2, 0],
        [2, 2],
        [2, 1],
        [2, 3],
        [0, 2],
        [0, 0],
      ]).ok,
    ).toBe(false);
    expect(
      poly([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
        [0, 0],
      ]).ok,
    ).toBe(true);
    expect(
      poly([
        [0, 0],
        [4, 0],
        [4, 4],
        [2, 1],
        [0, 4],
        [0, 0],
      ]).ok,
    ).toBe(true); // concave
    expect(ringSelfIntersects([0, 0, 1, 1, 1, 0, 0, 1, 0, 0])).toBe(true);
    // any ring whose vertices go round a centre inside it (angle order, every gap under 180°) is
    // simple: each edge keeps to its own sector, so edges that are not neighbours never meet
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 359 }), { minLength: 3, maxLength: 60 }),
        fc.array(fc.double({ min: 0.1, max: 1, noNaN: true }), { minLength: 60, maxLength: 60 }),
        (angles, radii) => {
          const sorted = [...angles].sort((a, b) => a - b);
          const gaps = sorted.map((a, k) => (sorted[k + 1] ?? (sorted[0] as number) + 360) - a);
          fc.pre(Math.max(...gaps) < 180);
          const ring = sorted.map((deg, k) => {
            const r = radii[k] as number;
            return [
              106.7 + r * 0.01 * Math.cos((deg * Math.PI) / 180),
              26.6 + r * 0.01 * Math.sin((deg * Math.PI) / 180),
            ];
          });
          return poly(ring).ok;
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});

const H = 3600_000;
function area(o: Partial<IndexedArea>): IndexedArea {
  return { id: 1, level: 'medium', startsAt: 0, liftedAt: Infinity, geometry: shop(), adminCode: null, ...o };
}

describe('AreaIndex', () => {
  it('matches inside, outside and edge-within-accuracy, capped at maxAccuracyM', () => {
    const idx = new AreaIndex([area({ id: 7 })], { maxAccuracyM: 100 });
    const out: number[] = [];
    expect(idx.matchPosition(LAT + dy / 2, LON + dx / 2, null, 0, 1, out)).toBe(1);
    const p = eastOf(30);
    expect(idx.matchPosition(p.lat, p.lon, 10, 0, 1, out)).toBe(0);
    expect(idx.matchPosition(p.lat, p.lon, 35, 0, 1, out)).toBe(1);
    const far = eastOf(150);
    expect(idx.matchPosition(far.lat, far.lon, 2000, 0, 1, out)).toBe(0); // 2 km accuracy counts as 100 m
    expect(out).toEqual([0, 0]);
  });

  it('honours the active window: [startsAt, liftedAt)', () => {
    const idx = new AreaIndex([area({ startsAt: 10 * H, liftedAt: 20 * H })]);
    const c = { lat: LAT + dy / 2, lon: LON + dx / 2 };
    const out: number[] = [];
    expect(idx.matchPosition(c.lat, c.lon, 0, 0, 9 * H, out)).toBe(0); // left before the start
    expect(idx.matchPosition(c.lat, c.lon, 0, 9 * H, 10 * H, out)).toBe(1); // still there at the start
    expect(idx.matchPosition(c.lat, c.lon, 0, 19 * H, 21 * H, out)).toBe(1);
    expect(idx.matchPosition(c.lat, c.lon, 0, 20 * H, 21 * H, out)).toBe(0); // arrived as it was lifted
  });

  it('admin-code areas match by county, street or community prefix', () => {
    const idx = new AreaIndex([
      area({ id: 1, geometry: null, adminCode: '520102' }),
      area({ id: 2, geometry: null, adminCode: '520103001' }),
    ]);
    const out: number[] = [];
    expect(idx.matchCode('520102', 0, 1, out)).toBe(1);
    expect(idx.matchCode('520103', 0, 1, out)).toBe(0); // a county stay is not inside one street
    expect(idx.matchCode('520103001005', 0, 1, out)).toBe(1);
    expect(idx.matchCode(null, 0, 1, out)).toBe(0);
    expect(out).toEqual([0, 1]);
  });

  it('agrees with a brute-force scan (property)', () => {
    const areas: IndexedArea[] = [];
    for (let i = 0; i < 60; i++) {
      const lat = LAT + (i % 8) * 0.0007;
      const lon = LON + Math.floor(i / 8) * 0.0007;
      areas.push(
        area({
          id: i,
          geometry: i % 3 === 0 ? { kind: 'circle', lat, lon, radiusM: 15 + i } : shopAt(lat, lon, 5 + i),
          startsAt: (i % 5) * H,
          liftedAt: i % 4 === 0 ? (i % 5) * H + 6 * H : Infinity,
        }),
      );
    }
    const idx = new AreaIndex(areas, { maxAccuracyM: 60 });
    fc.assert(
      fc.property(
        fc.double({ min: LAT - 0.001, max: LAT + 0.007, noNaN: true }),
        fc.double({ min: LON - 0.001, max: LON + 0.007, noNaN: true }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 12 }),
        (lat, lon, acc, h) => {
          const got: number[] = [];
          idx.matchPosition(lat, lon, acc, h * H, h * H + H, got);
          const r = Math.min(acc, 60);
          const want = areas.flatMap((a, i) =>
            h * H < a.liftedAt && h * H + H >= a.startsAt && discIntersects(a.geometry!, lat, lon, r)
              ? [i]
              : [],
          );
          expect(got.sort((x, y) => x - y)).toEqual(want);
        },
      ),
      { numRuns: 400 },
    );
  });
});

function shopAt(lat: number, lon: number, m: number): AreaGeometry {
  const a = m / M_PER_DEG;
  const b = m / (M_PER_DEG * Math.cos((lat * Math.PI) / 180));
  const p = parsePolygonal({
    type: 'Polygon',
    coordinates: [
      [
        [lon, lat],
        [lon + b, lat],
        [lon + b, lat + a],
        [lon, lat + a],
      ],
    ],
  });
  if (!p.ok) throw new Error(p.reason);
  return p.geometry;
}

describe('AreaIndex: grid and R-tree agree', () => {
  it('large areas (R-tree) and small ones (grid) match alike', () => {
    const big = shopAt(LAT - 0.05, LON - 0.05, 20_000); // 20 km square: far more than MAX_CELLS cells
    const areas = [area({ id: 1, geometry: big }), area({ id: 2 })];
    const idx = new AreaIndex(areas, { maxAccuracyM: 100 });
    const out: number[] = [];
    idx.matchPosition(LAT + dy / 2, LON + dx / 2, 0, 0, 1, out);
    expect(out.sort()).toEqual([0, 1]);
    out.length = 0;
    idx.matchPosition(LAT - 0.0501, LON - 0.05 + 0.01, 20, 0, 1, out); // ~11 m south of the big square's edge
    expect(out).toEqual([0]);
  });
});
