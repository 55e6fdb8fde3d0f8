/**
 * The hash chain of an audit log (docs/DESIGN.md §11), pure: how a row's hash is made from the
 * previous one, and the walk that checks a log against itself and against signed checkpoints of
 * its head. Shared by the platform's log (services/audit.service.ts) and the testing service's
 * (services/nat/nat-audit.service.ts); SHA-256 comes in as an argument (domain/ does no I/O).
 */

/** SHA-256 of the concatenated chunks. */
export type Sha256 = (...chunks: Uint8Array[]) => Uint8Array;

/** The previous hash of a log's first row. */
export const GENESIS: Uint8Array = new Uint8Array(32);

/** JSON with object keys sorted, so the hash survives jsonb's own key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A row's hash: SHA-256 of the previous row's hash and the canonical JSON of the row's fields. */
export function chainHash(sha256: Sha256, prev: Uint8Array, fields: readonly unknown[]): Uint8Array {
  return sha256(prev, new TextEncoder().encode(canonicalJson(fields)));
}

/** The platform log's fields of a row, in hash order: [seq, at, actor, action, personId, detail]. */
export function platformAuditFields(
  seq: number,
  at: string,
  e: { actor: string; action: string; personId?: number | null; detail?: Record<string, unknown> },
): unknown[] {
  return [seq, at, e.actor, e.action, e.personId ?? null, e.detail ?? {}];
}

/** The testing service log's fields of a row, in hash order: [seq, at, actor, action, regionCode, detail]. */
export function testingAuditFields(
  seq: number,
  at: string,
  e: { actor: string; action: string; regionCode: string | null; detail: Record<string, unknown> },
): unknown[] {
  return [seq, at, e.actor, e.action, e.regionCode, e.detail];
}

/** The bytes a checkpoint signs: a text of the log's label, sequence, head hash and time. */
export function checkpointMessage(label: string, seq: number, hash: Uint8Array, at: string): Uint8Array {
  const hex = Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
  return new TextEncoder().encode(`${label}\n${seq}\n${hex}\n${at}`);
}

/** Labels that keep one log's checkpoints from passing for the other's. */
export const PLATFORM_CHECKPOINT_LABEL = 'hc-audit-checkpoint/v1';
export const TESTING_CHECKPOINT_LABEL = 'hc-testing-audit-checkpoint/v1';

export type ChainVerdict =
  | 'CHAIN_BROKEN' // a row's link or hash is wrong, or a number is missing
  | 'TRUNCATED' // the log ends before a checkpoint's row
  | 'CHECKPOINT_MISMATCH' // a row's hash differs from the one a checkpoint signed
  | 'CHECKPOINT_FORGED'; // a checkpoint whose signature does not check

/** One stored row as the walk sees it: its number, stored links and the fields its hash covers. */
export interface ChainRow {
  seq: number;
  prevHash: Uint8Array;
  hash: Uint8Array;
  fields: readonly unknown[];
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Walks a log in order of seq from 1: each row must carry the next number, link to the previous
 * row's hash and hash to what it stores, and agree with every checkpoint of its number. At the end,
 * a checkpoint past the last row means rows were cut off.
 */
export class ChainWalk {
  private prev: Uint8Array = GENESIS;
  /** the seq the next row must have */
  next = 1;
  /** rows found good */
  good = 0;

  constructor(
    private readonly sha256: Sha256,
    /** hashes that signed checkpoints name, by seq */
    private readonly checkpoints: ReadonlyMap<number, readonly Uint8Array[]> = new Map(),
  ) {}

  /** Checks one row; the verdict when it is wrong (the walk stops there). */
  step(r: ChainRow): { seq: number; reason: ChainVerdict } | undefined {
    const h = chainHash(this.sha256, this.prev, r.fields);
    if (r.seq !== this.next || !equal(r.prevHash, this.prev) || !equal(h, r.hash))
      return { seq: r.seq, reason: 'CHAIN_BROKEN' };
    for (const cp of this.checkpoints.get(r.seq) ?? [])
      if (!equal(cp, h)) return { seq: r.seq, reason: 'CHECKPOINT_MISMATCH' };
    this.prev = h;
    this.next++;
    this.good++;
    return undefined;
  }

  /** After the last row: TRUNCATED at the first missing row when a checkpoint names a later one. */
  end(): { seq: number; reason: ChainVerdict } | undefined {
    const newest = Math.max(0, ...this.checkpoints.keys());
    return newest >= this.next ? { seq: this.next, reason: 'TRUNCATED' } : undefined;
  }
}
