// Runs the companion engine on several cores: persons are split into contiguous id ranges (a pair
// belongs to its person's range, so ranges never double count) over shared ping columns.
import { Worker } from 'node:worker_threads';
import { buildCaseIndex } from '../../geo/case-index.ts';
import { findCompanionsInRange, resolveParams } from '../../geo/companion-engine.ts';
import { concatPairs } from '../../geo/pair-builder.ts';
import type { CompanionPairs, CompanionParams, PingColumns } from '../../geo/companion-types.ts';

export interface PoolOptions {
  threads: number;
  onProgress?: (done: number, total: number) => void;
}

export interface PoolResult {
  pairs: CompanionPairs;
  /** Milliseconds: case index build, and each range's engine time. */
  indexMs: number;
  rangeMs: number[];
}

const isShared = (a: ArrayBufferView): boolean => a.buffer instanceof SharedArrayBuffer;

/** Companions of all persons; threads > 1 needs columns in SharedArrayBuffers (else it copies). */
export async function runCompanions(
  pings: PingColumns,
  casePersonIds: ArrayLike<number>,
  params: CompanionParams,
  opts: PoolOptions,
): Promise<PoolResult> {
  const t0 = performance.now();
  const index = buildCaseIndex(pings, casePersonIds, resolveParams(pings, params));
  const indexMs = performance.now() - t0;
  const P = pings.personCount;
  if (opts.threads <= 1 || P < 2) {
    const s = performance.now();
    const pairs = findCompanionsInRange(pings, index, 0, P, opts.onProgress);
    return { pairs, indexMs, rangeMs: [performance.now() - s] };
  }
  const shared = sharedColumns(pings);
  const k = Math.min(opts.threads, P);
  const progress = new Array<number>(k).fill(0);
  const parts = await Promise.all(
    Array.from({ length: k }, (_, i) => {
      const lo = Math.floor((P * i) / k);
      const hi = Math.floor((P * (i + 1)) / k);
      return new Promise<{ pairs: CompanionPairs; ms: number }>((resolve, reject) => {
        const w = new Worker(new URL('./engine-thread.ts', import.meta.url), {
          workerData: { pings: shared, index, lo, hi },
        });
        w.on('message', (m: { type: string; done?: number; pairs?: CompanionPairs; ms?: number }) => {
          if (m.type === 'progress') {
            progress[i] = m.done!;
            opts.onProgress?.(progress.reduce((a, b) => a + b, 0), P);
          } else if (m.type === 'done') resolve({ pairs: m.pairs!, ms: m.ms! });
        });
        w.on('error', reject);
        w.on('exit', (code) => code !== 0 && reject(new Error(`engine thread exited with ${code}`)));
      });
    }),
  );
  return { pairs: concatPairs(parts.map((p) => p.pairs)), indexMs, rangeMs: parts.map((p) => p.ms) };
}

function sharedColumns(p: PingColumns): PingColumns {
  if (isShared(p.person) && isShared(p.ts) && isShared(p.lat) && isShared(p.lon)) return p;
  const share = <T extends Uint32Array | Float64Array>(a: T, make: (b: SharedArrayBuffer) => T): T => {
    const b = make(new SharedArrayBuffer(a.byteLength));
    b.set(a);
    return b;
  };
  return {
    person: share(p.person, (b) => new Uint32Array(b)),
    ts: share(p.ts, (b) => new Uint32Array(b)),
    lat: share(p.lat, (b) => new Float64Array(b)),
    lon: share(p.lon, (b) => new Float64Array(b)),
    personCount: p.personCount,
  };
}
