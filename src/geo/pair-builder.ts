// Growable column store for companion pairs; concatenation of person-range results.
import type { CompanionPairs } from './companion-types.ts';

export class PairBuilder {
  private n = 0;
  private person = new Uint32Array(1024);
  private caseId = new Uint32Array(1024);
  private seconds = new Float64Array(1024);
  private firstTs = new Float64Array(1024);
  private lastTs = new Float64Array(1024);

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
    const g = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.person = g(this.person, (k) => new Uint32Array(k));
    this.caseId = g(this.caseId, (k) => new Uint32Array(k));
    this.seconds = g(this.seconds, (k) => new Float64Array(k));
    this.firstTs = g(this.firstTs, (k) => new Float64Array(k));
    this.lastTs = g(this.lastTs, (k) => new Float64Array(k));
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
