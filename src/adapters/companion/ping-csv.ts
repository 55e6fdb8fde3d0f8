// Streaming CSV readers for the companion engine: pings (person_id,ts,lat,lon in any row order) and
// cases (person_id). Bad rows are reported with their line number and skipped, never fatal. Fields
// are split by the feeds' one CSV record parser (feeds/record-reader.ts: RFC 4180, as csv-parse).
import { createReadStream } from 'node:fs';
import { ArrayIds } from '../../geo/ping-format.ts';
import { splitCsv } from '../feeds/record-reader.ts';

export interface RowError {
  line: number;
  reason: string;
}

export interface CsvPings {
  person: Uint32Array;
  ts: Uint32Array;
  lat: Float64Array;
  lon: Float64Array;
  ids: ArrayIds;
  /** Dense id of each person id string. */
  idOf: Map<string, number>;
}

class Columns {
  n = 0;
  person = new Uint32Array(1 << 16);
  ts = new Uint32Array(1 << 16);
  lat = new Float64Array(1 << 16);
  lon = new Float64Array(1 << 16);
  push(p: number, t: number, a: number, o: number): void {
    if (this.n === this.person.length) {
      const grow = <T extends Uint32Array | Float64Array>(x: T, y: T): T => (y.set(x), y);
      const size = this.n * 2;
      this.person = grow(this.person, new Uint32Array(size));
      this.ts = grow(this.ts, new Uint32Array(size));
      this.lat = grow(this.lat, new Float64Array(size));
      this.lon = grow(this.lon, new Float64Array(size));
    }
    const i = this.n++;
    this.person[i] = p;
    this.ts[i] = t;
    this.lat[i] = a;
    this.lon[i] = o;
  }
}

/** Calls `onLine(text, lineNumber)` for each line of a file (UTF-8; LF, CRLF or CR alone). */
export async function forEachLine(
  path: string,
  onLine: (line: string, no: number) => void,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  let rest = '';
  let no = 0;
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 22 });
  for await (const chunk of stream as AsyncIterable<string>) {
    onBytes?.(Buffer.byteLength(chunk));
    const text = rest + chunk;
    let s = 0;
    const ends = /\r\n|\r(?!$)|\n/g;
    for (let m = ends.exec(text); m; m = ends.exec(text)) {
      onLine(text.slice(s, m.index), ++no);
      s = m.index + m[0].length;
    }
    rest = text.slice(s);
  }
  if (rest.length > 0) onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest, ++no);
}

/** Parse one pings row; a reason string when invalid. */
export function parsePingRow(line: string): [string, number, number, number] | string {
  const f = splitCsv(line);
  if (!f) return 'a quote out of place (RFC 4180)';
  if (f.length !== 4) return `expected 4 fields, got ${f.length}`;
  const id = f[0]!.trim();
  if (id === '') return 'empty person_id';
  const tsText = f[1]!.trim();
  if (!/^\d+$/.test(tsText)) return `ts is not a non-negative integer: ${JSON.stringify(tsText)}`;
  const ts = Number(tsText);
  if (ts > 4294967295) return 'ts beyond 2106 (u32 seconds)';
  const lat = f[2]!.trim() === '' ? NaN : Number(f[2]);
  const lon = f[3]!.trim() === '' ? NaN : Number(f[3]);
  if (!(lat >= -90 && lat <= 90)) return `lat not in [-90, 90]: ${JSON.stringify(f[2])}`;
  if (!(lon >= -180 && lon <= 180)) return `lon not in [-180, 180]: ${JSON.stringify(f[3])}`;
  return [id, ts, lat, lon];
}

/** Read a pings CSV with header person_id,ts,lat,lon. */
export async function readPingsCsv(
  path: string,
  onError: (e: RowError) => void,
  onBytes?: (bytes: number) => void,
): Promise<CsvPings> {
  const cols = new Columns();
  const idOf = new Map<string, number>();
  const ids: string[] = [];
  await forEachLine(
    path,
    (line, no) => {
      if (no === 1) {
        if (line.replace(/^\uFEFF/, '').replace(/\s/g, '') !== 'person_id,ts,lat,lon') {
          throw new Error(`${path}: header must be person_id,ts,lat,lon`);
        }
        return;
      }
      if (line.trim() === '') return;
      const r = parsePingRow(line);
      if (typeof r === 'string') return onError({ line: no, reason: r });
      let p = idOf.get(r[0]);
      if (p === undefined) {
        p = ids.length;
        idOf.set(r[0], p);
        ids.push(r[0]);
      }
      cols.push(p, r[1], r[2], r[3]);
    },
    onBytes,
  );
  const n = cols.n;
  return {
    person: cols.person.slice(0, n),
    ts: cols.ts.slice(0, n),
    lat: cols.lat.slice(0, n),
    lon: cols.lon.slice(0, n),
    ids: new ArrayIds(ids),
    idOf,
  };
}

/** Read a cases CSV with header person_id; duplicates collapse, empty rows are reported. */
export async function readCasesCsv(path: string, onError: (e: RowError) => void): Promise<string[]> {
  const out = new Set<string>();
  await forEachLine(path, (line, no) => {
    if (no === 1) {
      if (line.replace(/^\uFEFF/, '').trim() !== 'person_id')
        throw new Error(`${path}: header must be person_id`);
      return;
    }
    if (line.trim() === '') return;
    const f = splitCsv(line);
    if (!f || f.length !== 1) return onError({ line: no, reason: 'expected 1 field' });
    out.add(f[0]!.trim());
  });
  return [...out];
}
