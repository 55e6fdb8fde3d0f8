// Ping, case and companion files: HCPINGS1 binary (detected by magic bytes) or CSV. Binary files are
// read straight into one SharedArrayBuffer so worker threads share the columns without copying.
import { closeSync, openSync, readSync, writeSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import {
  DictionaryIds,
  FLAG_SORTED,
  encodeDictionary,
  encodePingHeader,
  isPingBinary,
  pingLayout,
  viewPingImage,
  type PersonIds,
} from '../../geo/ping-format.ts';
import type { CompanionPairs, PingColumns } from '../../geo/companion-types.ts';
import { gatherByPerson } from '../../geo/presence.ts';
import { readCasesCsv, readPingsCsv, type RowError } from './ping-csv.ts';

export interface PingTable {
  columns: PingColumns;
  ids: PersonIds;
  format: 'bin' | 'csv';
  /** Dense ids of the given person id strings (unknown ids are left out). */
  lookup(wanted: string[]): Map<string, number>;
}

export interface LoadOptions {
  onError?: (e: RowError) => void;
  onBytes?: (bytes: number, total: number) => void;
}

function readHead(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(64);
    readSync(fd, head, 0, 64, 0);
    return head;
  } finally {
    closeSync(fd);
  }
}

/** Load pings from an HCPINGS1 or CSV file. */
export async function loadPings(path: string, opts: LoadOptions = {}): Promise<PingTable> {
  if (isPingBinary(readHead(path))) return loadPingBin(path, opts);
  const c = await readPingsCsv(path, opts.onError ?? (() => {}), (b) => opts.onBytes?.(b, 0));
  return {
    columns: { person: c.person, ts: c.ts, lat: c.lat, lon: c.lon, personCount: c.ids.count },
    ids: c.ids,
    format: 'csv',
    lookup: (wanted) => new Map(wanted.flatMap((w) => (c.idOf.has(w) ? [[w, c.idOf.get(w)!] as const] : []))),
  };
}

/** Read an HCPINGS1 file into shared memory and view it as columns. */
export function loadPingBin(path: string, opts: LoadOptions = {}): PingTable {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(64);
    readSync(fd, head, 0, 64, 0);
    const total = viewTotal(head);
    const buf = new Uint8Array(new SharedArrayBuffer(total));
    for (let o = 0; o < total;) {
      const got = readSync(fd, buf, o, Math.min(1 << 30, total - o), o);
      if (got === 0) throw new Error(`${path}: truncated HCPINGS1 file`);
      o += got;
      opts.onBytes?.(o, total);
    }
    const v = viewPingImage(buf);
    return {
      columns: {
        person: v.person,
        ts: v.ts,
        lat: v.lat,
        lon: v.lon,
        personCount: v.layout.personCount,
        sortedByPerson: (v.layout.flags & FLAG_SORTED) !== 0,
      },
      ids: v.ids,
      format: 'bin',
      lookup: (wanted) => v.ids.lookup(wanted),
    };
  } finally {
    closeSync(fd);
  }
}

function viewTotal(head: Uint8Array): number {
  const v = new DataView(head.buffer);
  const n = Number(v.getBigUint64(16, true));
  return pingLayout(n, v.getUint32(24, true), Number(v.getBigUint64(32, true))).totalBytes;
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let o = 0; o < bytes.length;) {
    o += writeSync(fd, bytes, o, Math.min(1 << 30, bytes.length - o), position + o);
  }
}

const bytesOf = (a: Uint32Array | Float64Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Streams rows into an HCPINGS1 file whose row and person counts are known up front (the
 * generator's case): each block is written at its place in every column; ids come last.
 */
export class PingBinWriter {
  private readonly fd: number;
  private rows = 0;
  private readonly layout;
  constructor(
    private readonly path: string,
    n: number,
    private readonly personCount: number,
  ) {
    this.fd = openSync(path, 'w');
    this.layout = pingLayout(n, personCount, 0);
  }
  writeRows(
    c: { person: Uint32Array; ts: Uint32Array; lat: Float64Array; lon: Float64Array },
    count: number,
  ): void {
    const l = this.layout;
    const r = this.rows;
    if (r + count > l.n) throw new Error('more rows than declared');
    writeAll(this.fd, bytesOf(c.lat.subarray(0, count)), l.latOffset + 8 * r);
    writeAll(this.fd, bytesOf(c.lon.subarray(0, count)), l.lonOffset + 8 * r);
    writeAll(this.fd, bytesOf(c.ts.subarray(0, count)), l.tsOffset + 4 * r);
    writeAll(this.fd, bytesOf(c.person.subarray(0, count)), l.personOffset + 4 * r);
    this.rows += count;
  }
  finish(ids: PersonIds, flags = 0): void {
    if (this.rows !== this.layout.n)
      throw new Error(`${this.path}: wrote ${this.rows} of ${this.layout.n} rows`);
    const dict = encodeDictionary(ids);
    const l = pingLayout(this.layout.n, this.personCount, dict.bytes.length, flags);
    writeAll(this.fd, bytesOf(dict.offsets), l.dictOffsetsOffset);
    writeAll(this.fd, dict.bytes, l.dictOffset);
    writeAll(this.fd, encodePingHeader(l), 0);
    closeSync(this.fd);
  }
}

/**
 * Write a whole ping table as HCPINGS1 (the converter), grouped by person so that the engine can
 * skip its counting sort (flag bit 0).
 */
export function writePingBin(path: string, c: PingColumns, ids: PersonIds): void {
  const g = gatherByPerson(c, 0, c.personCount);
  const person = new Uint32Array(g.ts.length);
  for (let p = 0; p < c.personCount; p++) person.fill(p, g.start[p]!, g.start[p + 1]!);
  const w = new PingBinWriter(path, person.length, ids.count);
  w.writeRows({ person, ts: g.ts, lat: g.lat, lon: g.lon }, person.length);
  w.finish(ids, FLAG_SORTED);
}

/** Case ids from a CSV with header person_id. */
export async function loadCases(path: string, onError: (e: RowError) => void): Promise<string[]> {
  return readCasesCsv(path, onError);
}

/** Write companion pairs as CSV: person_id,case_id,seconds,first_ts,last_ts. */
export async function writePairsCsv(
  path: string,
  parts: CompanionPairs | CompanionPairs[],
  ids: PersonIds,
): Promise<void> {
  const out = createWriteStream(path);
  out.write('person_id,case_id,seconds,first_ts,last_ts\n');
  const caseNames = new Map<number, string>();
  let chunk = '';
  for (const pairs of Array.isArray(parts) ? parts : [parts])
    for (let i = 0; i < pairs.count; i++) {
      const c = pairs.caseId[i]!;
      let cn = caseNames.get(c);
      if (cn === undefined) caseNames.set(c, (cn = ids.get(c)));
      chunk += `${ids.get(pairs.person[i]!)},${cn},${pairs.seconds[i]},${pairs.firstTs[i]},${pairs.lastTs[i]}\n`;
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
  out.end(chunk);
  await once(out, 'finish');
}

export type { RowError };
export { DictionaryIds };
