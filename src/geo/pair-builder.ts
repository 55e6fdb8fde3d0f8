// Growable column store for companion pairs; concatenation of person-range results.
import type { CompanionPairs } from './companion-types.ts';

/**
 * Growable columns of companion pairs. A builder can be reset and reused so that a warm engine
 * does not touch fresh memory (page faults cost ~4 ns per byte on the benchmark VM); with
 * `shared` its columns live in SharedArrayBuffers and can be read by another thread in place.
 */
export class PairBuilder {
  private n = 0;
  private person: Uint32Array;
  private caseId: Uint32Array;
  private seconds: Float64Array;
  private firstTs: Float64Array;
  private lastTs: Float64Array;

  constructor(
    private readonly shared = false,
    capacity = 1024,
  ) {
    this.person = new Uint32Array(this.buffer(4 * capacity));
    this.caseId = new Uint32Array(this.buffer(4 * capacity));
    this.seconds = new Float64Array(this.buffer(8 * capacity));
    this.firstTs = new Float64Array(this.buffer(8 * capacity));
    this.lastTs = new Float64Array(this.buffer(8 * capacity));
  }

  private buffer(bytes: number): ArrayBuffer | SharedArrayBuffer {
    return this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  }

  /** Pairs pushed since the last reset. */
  get count(): number {
    return this.n;
  }

  /** Forget the pairs but keep the memory. */
  reset(): void {
    this.n = 0;
  }

  push(person: number, caseId: number, seconds: number, firstTs: number, lastTs: number): void {
    if (this.n === this.person.length) this.grow();
    const i = this.n++;
    this.person[i] = person;
    this.caseId[i] = caseId;
    this.seconds[i] = seconds;
    this.firstTs[i] = firstTs;
    this.lastTs[i] = lastTs;
  }

  finish(): CompanionPairs {
    const n = this.n;
    return {
      count: n,
      person: this.person.subarray(0, n),
      caseId: this.caseId.subarray(0, n),
      seconds: this.seconds.subarray(0, n),
      firstTs: this.firstTs.subarray(0, n),
      lastTs: this.lastTs.subarray(0, n),
    };
  }

  private grow(): void {
    const size = this.person.length * 2;
    const u32 = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(this.buffer(4 * size));
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(this.buffer(8 * size));
      b.set(a);
      return b;
    };
    this.person = u32(this.person);
    this.caseId = u32(this.caseId);
    this.seconds = f64(this.seconds);
    this.firstTs = f64(this.firstTs);
    this.lastTs = f64(this.lastTs);
  }
}

/** Concatenate results of consecutive person ranges (already in (person, case) order). */
export function concatPairs(parts: CompanionPairs[]): CompanionPairs {
  const n = parts.reduce((s, p) => s + p.count, 0);
  const out: CompanionPairs = {
    count: n,
    person: new Uint32Array(n),
    caseId: new Uint32Array(n),
    seconds: new Float64Array(n),
    firstTs: new Float64Array(n),
    lastTs: new Float64Array(n),
  };
  let o = 0;
  for (const p of parts) {
    out.person.set(p.person.subarray(0, p.count), o);
    out.caseId.set(p.caseId.subarray(0, p.count), o);
    out.seconds.set(p.seconds.subarray(0, p.count), o);
    out.firstTs.set(p.firstTs.subarray(0, p.count), o);
    out.lastTs.set(p.lastTs.subarray(0, p.count), o);
    o += p.count;
  }
  return out;
}
