/**
 * PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary
 * Format"), written without per-value allocation: rows go straight into one growing buffer as
 * big-endian fields, so a million rows cost a few buffers instead of millions of strings. The
 * server then stores the values as they are (no timestamp or float parsing).
 */

/** Signature, flags (no OIDs) and an empty header extension. */
export const COPY_BINARY_HEADER = new Uint8Array([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** The end-of-data marker: a field count of −1. */
export const COPY_BINARY_TRAILER = new Uint8Array([0xff, 0xff]);

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 4_294_967_296;

export class BinaryCopyWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  /** Starts a row of `fields` values; call one field method per value, in column order. */
  row(fields: number): this {
    this.room(2 + fields * 12);
    this.view.setInt16(this.pos, fields);
    this.pos += 2;
    return this;
  }

  null(): this {
    this.room(4);
    this.view.setInt32(this.pos, -1);
    this.pos += 4;
    return this;
  }

  /** bigint column from a safe integer. */
  int8(v: number): this {
    this.room(12);
    this.view.setInt32(this.pos, 8);
    this.put64(this.pos + 4, v);
    this.pos += 12;
    return this;
  }

  /** bigint column from 8 bytes already encoded (a constant repeated on every row). */
  int8Bytes(b: Uint8Array): this {
    this.room(12);
    this.view.setInt32(this.pos, 8);
    this.buf.set(b, this.pos + 4);
    this.pos += 12;
    return this;
  }

  /** timestamptz from epoch milliseconds (integer datetimes, microseconds since 2000-01-01). */
  timestamptz(ms: number): this {
    this.room(12);
    this.view.setInt32(this.pos, 8);
    this.put64(this.pos + 4, Math.round((ms - PG_EPOCH_MS) * 1000));
    this.pos += 12;
    return this;
  }

  float8(v: number): this {
    this.room(12);
    this.view.setInt32(this.pos, 8);
    this.view.setFloat64(this.pos + 4, v);
    this.pos += 12;
    return this;
  }

  float4(v: number): this {
    this.room(8);
    this.view.setInt32(this.pos, 4);
    this.view.setFloat32(this.pos + 4, v);
    this.pos += 8;
    return this;
  }

  text(s: string): this {
    const n = Buffer.byteLength(s);
    this.room(4 + n);
    this.view.setInt32(this.pos, n);
    Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength).write(s, this.pos + 4);
    this.pos += 4 + n;
    return this;
  }

  /** The rows written so far; the writer starts over on a new buffer. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(Math.max(1 << 16, this.buf.length));
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
    return out;
  }

  private put64(at: number, v: number): void {
    const hi = Math.floor(v / TWO_32);
    this.view.setInt32(at, hi);
    this.view.setUint32(at + 4, v - hi * TWO_32);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

/** A signed 64-bit integer given as a decimal string, as 8 big-endian bytes. */
export function int8Bytes(decimal: string): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(decimal));
  return b;
}
