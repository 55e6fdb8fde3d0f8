// HCPINGS1: the compact columnar ping format (little-endian, 8-byte aligned sections), designed so
// a file maps straight onto typed arrays with no parsing. Pure layout code; I/O lives in adapters.
//
//   0  magic "HCPINGS1"          8 bytes
//   8  version u32 = 1            12 flags u32 (bit 0: rows sorted by person then ts)
//  16  ping count n u64           24 person count P u32      28 reserved u32
//  32  dictionary bytes D u64     40..63 reserved (zero)
//  64           lat   f64[n]   (degrees, WGS84)
//  64 + 8n      lon   f64[n]
//  64 + 16n     ts    u32[n]   (epoch seconds)
//  64 + 20n     person u32[n]  (dense id in [0, P))
//  64 + 24n     dictionary offsets u32[P + 1] into the UTF-8 id bytes that follow (D bytes)
//
// The format is also the payload of a JetStream ping batch, so files and streams share one codec.

export const PING_MAGIC = 'HCPINGS1';
export const PING_HEADER_BYTES = 64;
export const FLAG_SORTED = 1;

export interface PingLayout {
  n: number;
  personCount: number;
  dictBytes: number;
  flags: number;
  latOffset: number;
  lonOffset: number;
  tsOffset: number;
  personOffset: number;
  dictOffsetsOffset: number;
  dictOffset: number;
  totalBytes: number;
}

/** Section offsets of a file with n pings, P persons and D bytes of ids. */
export function pingLayout(n: number, personCount: number, dictBytes: number, flags = 0): PingLayout {
  const latOffset = PING_HEADER_BYTES;
  const dictOffsetsOffset = latOffset + 24 * n;
  const dictOffset = dictOffsetsOffset + 4 * (personCount + 1);
  return {
    n,
    personCount,
    dictBytes,
    flags,
    latOffset,
    lonOffset: latOffset + 8 * n,
    tsOffset: latOffset + 16 * n,
    personOffset: latOffset + 20 * n,
    dictOffsetsOffset,
    dictOffset,
    totalBytes: dictOffset + dictBytes,
  };
}

export function encodePingHeader(l: PingLayout): Uint8Array {
  const h = new Uint8Array(PING_HEADER_BYTES);
  const v = new DataView(h.buffer);
  for (let i = 0; i < 8; i++) h[i] = PING_MAGIC.charCodeAt(i);
  v.setUint32(8, 1, true);
  v.setUint32(12, l.flags, true);
  v.setBigUint64(16, BigInt(l.n), true);
  v.setUint32(24, l.personCount, true);
  v.setBigUint64(32, BigInt(l.dictBytes), true);
  return h;
}

/** True when the bytes start with the HCPINGS1 magic. */
export function isPingBinary(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  for (let i = 0; i < 8; i++) if (head[i] !== PING_MAGIC.charCodeAt(i)) return false;
  return true;
}

export function decodePingHeader(head: Uint8Array): PingLayout {
  if (!isPingBinary(head) || head.length < PING_HEADER_BYTES) throw new Error('not an HCPINGS1 file');
  const v = new DataView(head.buffer, head.byteOffset, PING_HEADER_BYTES);
  const version = v.getUint32(8, true);
  if (version !== 1) throw new Error(`unsupported HCPINGS1 version ${version}`);
  return pingLayout(
    Number(v.getBigUint64(16, true)),
    v.getUint32(24, true),
    Number(v.getBigUint64(32, true)),
    v.getUint32(12, true),
  );
}

/** Person id dictionary over the UTF-8 bytes of a file or batch. */
export interface PersonIds {
  readonly count: number;
  get(i: number): string;
}

const decoder = new TextDecoder();

export class DictionaryIds implements PersonIds {
  constructor(
    private readonly offsets: Uint32Array,
    private readonly bytes: Uint8Array,
  ) {}
  get count(): number {
    return this.offsets.length - 1;
  }
  get(i: number): string {
    return decoder.decode(this.bytes.subarray(this.offsets[i]!, this.offsets[i + 1]!));
  }
  /** Dense ids of the wanted strings (absent ones omitted), one hashed pass over the bytes. */
  lookup(wanted: Iterable<string>): Map<string, number> {
    const want = new Map<number, string[]>();
    for (const w of wanted) {
      const e = new TextEncoder().encode(w);
      const h = fnv(e, 0, e.length);
      want.set(h, [...(want.get(h) ?? []), w]);
    }
    const found = new Map<string, number>();
    for (let i = 0; i < this.count; i++) {
      const hits = want.get(fnv(this.bytes, this.offsets[i]!, this.offsets[i + 1]!));
      if (hits === undefined) continue;
      const s = this.get(i);
      if (hits.includes(s) && !found.has(s)) found.set(s, i);
    }
    return found;
  }
}

function fnv(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

export class ArrayIds implements PersonIds {
  constructor(readonly ids: string[]) {}
  get count(): number {
    return this.ids.length;
  }
  get(i: number): string {
    return this.ids[i]!;
  }
}

/** Encode a person id dictionary: offsets (P + 1) and UTF-8 bytes, in one growing buffer. */
export function encodeDictionary(ids: PersonIds): { offsets: Uint32Array; bytes: Uint8Array } {
  const enc = new TextEncoder();
  const offsets = new Uint32Array(ids.count + 1);
  let bytes = new Uint8Array(1 << 16);
  let o = 0;
  for (let i = 0; i < ids.count; i++) {
    const s = ids.get(i);
    if (bytes.length - o < s.length * 3) {
      const grown = new Uint8Array(Math.max(bytes.length * 2, o + s.length * 3));
      grown.set(bytes.subarray(0, o));
      bytes = grown;
    }
    o += enc.encodeInto(s, bytes.subarray(o)).written;
    offsets[i + 1] = o;
  }
  return { offsets, bytes: bytes.subarray(0, o) };
}

/** Views of the columns and the dictionary of an HCPINGS1 image held in memory. */
export function viewPingImage(buf: Uint8Array): {
  layout: PingLayout;
  person: Uint32Array;
  ts: Uint32Array;
  lat: Float64Array;
  lon: Float64Array;
  ids: DictionaryIds;
} {
  const l = decodePingHeader(buf);
  if (buf.byteLength < l.totalBytes) throw new Error('truncated HCPINGS1 data');
  if (buf.byteOffset % 8 !== 0) buf = buf.slice();
  const b = buf.buffer;
  const o = buf.byteOffset;
  return {
    layout: l,
    lat: new Float64Array(b, o + l.latOffset, l.n),
    lon: new Float64Array(b, o + l.lonOffset, l.n),
    ts: new Uint32Array(b, o + l.tsOffset, l.n),
    person: new Uint32Array(b, o + l.personOffset, l.n),
    ids: new DictionaryIds(
      new Uint32Array(b, o + l.dictOffsetsOffset, l.personCount + 1),
      new Uint8Array(b, o + l.dictOffset, l.dictBytes),
    ),
  };
}

/** Encode columns and their ids as one HCPINGS1 image (a file or a stream batch). */
export function encodePingImage(
  cols: { person: Uint32Array; ts: Uint32Array; lat: Float64Array; lon: Float64Array },
  ids: PersonIds,
  flags = 0,
): Uint8Array {
  const dict = encodeDictionary(ids);
  const l = pingLayout(cols.person.length, ids.count, dict.bytes.length, flags);
  const out = new Uint8Array(l.totalBytes);
  out.set(encodePingHeader(l), 0);
  out.set(new Uint8Array(cols.lat.buffer, cols.lat.byteOffset, 8 * l.n), l.latOffset);
  out.set(new Uint8Array(cols.lon.buffer, cols.lon.byteOffset, 8 * l.n), l.lonOffset);
  out.set(new Uint8Array(cols.ts.buffer, cols.ts.byteOffset, 4 * l.n), l.tsOffset);
  out.set(new Uint8Array(cols.person.buffer, cols.person.byteOffset, 4 * l.n), l.personOffset);
  out.set(new Uint8Array(dict.offsets.buffer), l.dictOffsetsOffset);
  out.set(dict.bytes, l.dictOffset);
  return out;
}
