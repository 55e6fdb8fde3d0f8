// Coarse tiles for distributing the companion engine. Each person is attributed to exactly one
// tile per day (the tile of their first ping, ties by position), and all their pings travel with
// them, so a pair is computed once, in its person's tile, against the full broadcast case index —
// no pair is split across a tile border, whatever the radius.
import type { PingColumns } from './companion-types.ts';

/** Tile name of a position: ⌊lat / deg⌋_⌊lon / deg⌋ (safe as a NATS subject token). */
export function tileOf(lat: number, lon: number, tileDeg: number): string {
  return `${Math.floor(lat / tileDeg)}_${Math.floor(lon / tileDeg)}`;
}

/** Rows of each tile, by the tile of each person's earliest ping. */
export function rowsByTile(pings: PingColumns, tileDeg: number): Map<string, Uint32Array> {
  const { person, ts, lat, lon } = pings;
  const firstRow = new Int32Array(pings.personCount).fill(-1);
  for (let i = 0; i < person.length; i++) {
    const p = person[i]!;
    const f = firstRow[p]!;
    if (
      f < 0 ||
      ts[i]! < ts[f]! ||
      (ts[i] === ts[f] && (lat[i]! < lat[f]! || (lat[i] === lat[f] && lon[i]! < lon[f]!)))
    ) {
      firstRow[p] = i;
    }
  }
  const tileIdOfPerson = new Int32Array(pings.personCount).fill(-1);
  const names: string[] = [];
  const index = new Map<string, number>();
  for (let p = 0; p < pings.personCount; p++) {
    const f = firstRow[p]!;
    if (f < 0) continue;
    const name = tileOf(lat[f]!, lon[f]!, tileDeg);
    let id = index.get(name);
    if (id === undefined) {
      id = names.length;
      index.set(name, id);
      names.push(name);
    }
    tileIdOfPerson[p] = id;
  }
  const counts = new Uint32Array(names.length);
  for (let i = 0; i < person.length; i++) counts[tileIdOfPerson[person[i]!]!]!++;
  const rows = names.map((_, k) => new Uint32Array(counts[k]!));
  const fill = new Uint32Array(names.length);
  for (let i = 0; i < person.length; i++) {
    const k = tileIdOfPerson[person[i]!]!;
    rows[k]![fill[k]!++] = i;
  }
  return new Map(names.map((n, k) => [n, rows[k]!]));
}
