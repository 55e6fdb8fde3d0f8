/**
 * Parameters of bulk statements in the shapes that are cheap on both sides.
 *
 * An array parameter is a `SqlArray`: the statement casts it (`$1::bigint[]`) and each database
 * adapter sends it its own way. To PostgreSQL (pg) it goes in the binary array format, written
 * straight into one buffer: no text literal to build and escape on the client (on a 5 000-row
 * key-population block the literals and their copies were a fifth of all the bytes the import
 * allocated), and array_recv instead of array_in's parser on the server. PGlite takes the text
 * literal (`{1,2,3}`), which needs no escaping for numbers and hex digests. The pg driver's own
 * JS-array conversion is avoided in both: it quotes and escapes every element with regular
 * expressions.
 *
 * The element type is part of the value: in binary the server checks it against the cast, so
 * `intArray(x, 'int2')` goes with `$1::smallint[]` (a mismatch is an error, never a silent
 * conversion).
 */

/** Element types of array parameters, with their PostgreSQL type oids. */
const OID = { int2: 21, int4: 23, int8: 20, float8: 701, text: 25, bool: 16, bytea: 17 } as const;
export type IntType = 'int2' | 'int4' | 'int8';
type ElemType = keyof typeof OID;
type Elem = number | string | boolean | Uint8Array | null;

export class SqlArray {
  /** Use the builders below; they check the values. */
  constructor(
    readonly type: ElemType,
    readonly values: readonly Elem[],
  ) {}

  /** The array literal, `{1,NULL,"a \"b\""}` (PGlite, and anything that wants text). */
  literal(): string {
    const v = this.values;
    if (this.type === 'text') return textLiteral(v as ReadonlyArray<string | null>);
    if (this.type === 'bytea') {
      // each element `"\\xab01"`: the array parser turns `\\` into the `\` of bytea's hex form
      return `{${(v as ReadonlyArray<Uint8Array | null>).map((x) => (x ? `"\\\\x${Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex')}"` : 'NULL')).join(',')}}`;
    }
    let out = '{';
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (i > 0) out += ',';
      out += x === null || x === undefined ? 'NULL' : typeof x === 'boolean' ? (x ? 't' : 'f') : String(x);
    }
    return out + '}';
  }

  /** PostgreSQL's binary array format (what array_recv reads): header, one dimension, elements. */
  binary(): Buffer {
    const v = this.values;
    const n = v.length;
    const fixed =
      this.type === 'text' || this.type === 'bytea'
        ? 0
        : this.type === 'bool'
          ? 1
          : this.type === 'int2'
            ? 2
            : this.type === 'int4'
              ? 4
              : 8;
    let size = 20 + 4 * n;
    if (fixed) size += fixed * n;
    // utf8 takes at most 3 bytes per UTF-16 unit; the buffer is cut to what was written
    else if (this.type === 'bytea')
      for (let i = 0; i < n; i++) size += v[i] === null ? 0 : (v[i] as Uint8Array).byteLength;
    else for (let i = 0; i < n; i++) size += v[i] === null ? 0 : 3 * (v[i] as string).length;
    const b = Buffer.allocUnsafe(size);
    let hasNull = 0;
    let o = 20;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (x === null || x === undefined) {
        hasNull = 1;
        b.writeInt32BE(-1, o);
        o += 4;
        continue;
      }
      if (this.type === 'text') {
        const len = b.write(x as string, o + 4);
        b.writeInt32BE(len, o);
        o += 4 + len;
        continue;
      }
      if (this.type === 'bytea') {
        const bytes = x as Uint8Array;
        b.writeInt32BE(bytes.byteLength, o);
        b.set(bytes, o + 4);
        o += 4 + bytes.byteLength;
        continue;
      }
      b.writeInt32BE(fixed, o);
      const at = o + 4;
      switch (this.type) {
        case 'int8': {
          // high and low words (a BigInt per element was a tenth of a bulk block's allocations)
          const hi = Math.floor((x as number) / 4294967296);
          b.writeInt32BE(hi, at);
          b.writeUInt32BE((x as number) - hi * 4294967296, at + 4);
          break;
        }
        case 'float8':
          b.writeDoubleBE(x as number, at);
          break;
        case 'int4':
          b.writeInt32BE(x as number, at);
          break;
        case 'int2':
          b.writeInt16BE(x as number, at);
          break;
        case 'bool':
          b[at] = x ? 1 : 0;
          break;
      }
      o += 4 + fixed;
    }
    if (n === 0) {
      // no dimensions: the empty array
      b.writeInt32BE(0, 0);
      b.writeInt32BE(0, 4);
      b.writeInt32BE(OID[this.type], 8);
      return b.subarray(0, 12);
    }
    b.writeInt32BE(1, 0);
    b.writeInt32BE(hasNull, 4);
    b.writeInt32BE(OID[this.type], 8);
    b.writeInt32BE(n, 12);
    b.writeInt32BE(1, 16);
    return b.subarray(0, o);
  }
}

const RANGE: Record<IntType, readonly [number, number]> = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
  int8: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Integer ids or other integers (int8 unless told): `$1::bigint[]`, `::int[]`, `::smallint[]`. */
export function intArray(values: readonly number[], type: IntType = 'int8'): SqlArray {
  const [lo, hi] = RANGE[type];
  // indexed loops: a for-of here allocated an iterator result per element until the code was optimised
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) throw new TypeError(`not an ${type} integer: ${String(v)}`);
  }
  return new SqlArray(type, values);
}

/** Finite numbers or nulls, as float8 (`::float8[]`), or as integers of `type`. */
export function numArray(
  values: ReadonlyArray<number | null>,
  type: 'float8' | IntType = 'float8',
): SqlArray {
  const range = type === 'float8' ? undefined : RANGE[type];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (!Number.isFinite(v)) throw new TypeError(`not a finite number: ${String(v)}`);
    if (range && (!Number.isInteger(v) || v < range[0] || v > range[1]))
      throw new TypeError(`not an ${type} integer: ${String(v)}`);
  }
  return new SqlArray(type, values);
}

/** Strings or nulls (`::text[]`). */
export function textArray(values: ReadonlyArray<string | null>): SqlArray {
  return new SqlArray('text', values);
}

/** Booleans or nulls (`::boolean[]`). */
export function boolArray(values: ReadonlyArray<boolean | null>): SqlArray {
  return new SqlArray('bool', values);
}

/**
 * Values to store as jsonb, as the text[] of their JSON (null stays SQL NULL): the statement casts
 * each element, `x::jsonb`.
 */
export function jsonArray(values: readonly unknown[]): SqlArray {
  const texts = new Array<string | null>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    texts[i] = v === null || v === undefined ? null : JSON.stringify(v);
  }
  return new SqlArray('text', texts);
}

/** Byte strings or nulls (`::bytea[]`). */
export function byteaArray(values: ReadonlyArray<Uint8Array | null>): SqlArray {
  return new SqlArray('bytea', values);
}

/** Lowercase hex strings (`::text[]`, decoded by the statement). */
export function hexArray(values: readonly string[]): SqlArray {
  for (const v of values) if (!/^[0-9a-f]*$/.test(v)) throw new TypeError('not a hex string');
  return new SqlArray('text', values);
}

/**
 * `{"a","b \"c\"",NULL}`: every element quoted, and only elements holding a quote or a backslash
 * pay for escaping (one test per element instead of two replacements).
 */
function textLiteral(values: ReadonlyArray<string | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else out += NEEDS_ESCAPE.test(v) ? `"${v.replace(/[\\"]/g, '\\$&')}"` : `"${v}"`;
  }
  return out + '}';
}
const NEEDS_ESCAPE = /[\\"]/;

/** A parameter as PostgreSQL (pg) takes it: arrays in binary (a Buffer is sent in binary format). */
export const pgParam = (p: unknown): unknown => (p instanceof SqlArray ? p.binary() : p);

/** A parameter as PGlite takes it: arrays as their text literal. */
export const pgliteParam = (p: unknown): unknown => (p instanceof SqlArray ? p.literal() : p);

/**
 * SQL turning epoch milliseconds (a float8 expression, e.g. a JSON field) into timestamptz: far
 * cheaper for the server than parsing timestamp text, and no toISOString on the client. Exact for
 * whole milliseconds (to_timestamp rounds to microseconds). NULL stays NULL.
 */
export const TS = (ms: string): string => `to_timestamp(${ms} / 1000.0)`;
