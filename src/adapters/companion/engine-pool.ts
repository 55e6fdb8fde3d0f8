// Runs the companion engine on several cores: persons are split into contiguous id ranges (a pair
// belongs to its person's range, so ranges never double count) over shared ping columns.
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { buildCaseIndex } from '../../geo/case-index.ts';
import { findCompanionsInRange, resolveParams, type EngineWork } from '../../geo/companion-engine.ts';
import { PairBuilder } from '../../geo/pair-builder.ts';
import type { CompanionPairs, CompanionParams, PingColumns } from '../../geo/companion-types.ts';

export interface RunOptions {
  onProgress?: (done: number, total: number) => void;
}

export interface PoolResult {
  /** Pairs per person range, in person order (views valid until the pool's next run). */
  parts: CompanionPairs[];
  count: number;
  /** Milliseconds: case index build, and each range's engine time. */
  indexMs: number;
  rangeMs: number[];
}

type Reply =
  | { type: 'ready' }
  | { type: 'progress'; done: number }
  | { type: 'done'; pairs: CompanionPairs; ms: number };

/** A set of warm engine threads; with 1 thread it runs in the calling thread. */
export class EnginePool {
  private readonly work: EngineWork = { pairs: new PairBuilder() };
  private constructor(private readonly workers: Worker[]) {}

  /** Starts `threads` engine threads (0 or 1: no threads, run inline) and waits until ready. */
  static async start(threads: number): Promise<EnginePool> {
    const workers = threads > 1 ? Array.from({ length: threads }, spawnEngineThread) : [];
    try {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              w.once('error', reject);
              w.once('exit', (code) => reject(new Error(`engine thread exited with code ${code}`)));
              w.once('message', () => resolve());
            }),
        ),
      );
    } catch (e) {
      // Threads are an optimisation: without them the same engine runs in this thread.
      await Promise.all(workers.map((w) => w.terminate()));
      process.emitWarning(`companion engine threads unavailable, running on one thread: ${String(e)}`);
      return new EnginePool([]);
    }
    for (const w of workers) w.removeAllListeners('exit').removeAllListeners('error');
    return new EnginePool(workers);
  }

  get threads(): number {
    return Math.max(1, this.workers.length);
  }

  /** Companions of all persons of `pings` (columns should sit in SharedArrayBuffers). */
  async run(
    pings: PingColumns,
    casePersonIds: ArrayLike<number>,
    params: CompanionParams,
    opts: RunOptions = {},
  ): Promise<PoolResult> {
    const t0 = performance.now();
    const index = buildCaseIndex(pings, casePersonIds, resolveParams(pings, params));
    const indexMs = performance.now() - t0;
    const P = pings.personCount;
    if (this.workers.length === 0) {
      const s = performance.now();
      const pairs = findCompanionsInRange(pings, index, 0, P, opts.onProgress, this.work);
      return { parts: [pairs], count: pairs.count, indexMs, rangeMs: [performance.now() - s] };
    }
    const shared = sharedColumns(pings);
    const k = this.workers.length;
    const progress = new Array<number>(k).fill(0);
    const parts = await Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<{ pairs: CompanionPairs; ms: number }>((resolve, reject) => {
            const onMessage = (m: Reply): void => {
              if (m.type === 'progress') {
                progress[i] = m.done;
                opts.onProgress?.(
                  progress.reduce((a, b) => a + b, 0),
                  P,
                );
              } else if (m.type === 'done') {
                w.off('message', onMessage);
                w.off('error', reject);
                resolve({ pairs: m.pairs, ms: m.ms });
              }
            };
            w.on('message', onMessage);
            w.once('error', reject);
            w.postMessage({
              pings: shared,
              index,
              lo: Math.floor((P * i) / k),
              hi: Math.floor((P * (i + 1)) / k),
            });
          }),
      ),
    );
    const list = parts.map((p) => p.pairs);
    return {
      parts: list,
      count: list.reduce((a, p) => a + p.count, 0),
      indexMs,
      rangeMs: parts.map((p) => p.ms),
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        const exited = once(w, 'exit');
        await w.terminate();
        await exited.catch(() => undefined);
      }),
    );
  }
}

/** One-shot convenience: start a pool, run, close. */
export async function runCompanions(
  pings: PingColumns,
  casePersonIds: ArrayLike<number>,
  params: CompanionParams,
  opts: RunOptions & { threads: number },
): Promise<PoolResult> {
  const pool = await EnginePool.start(opts.threads);
  try {
    return await pool.run(pings, casePersonIds, params, opts);
  } finally {
    await pool.close();
  }
}

function sharedColumns(p: PingColumns): PingColumns {
  const isShared = (a: ArrayBufferView): boolean => a.buffer instanceof SharedArrayBuffer;
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

/**
 * Starts engine-thread.ts. Worker threads do not inherit tsx's loader, so when running from
 * TypeScript sources the thread first registers tsx, then imports the entry.
 */
function spawnEngineThread(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./engine-thread.js', import.meta.url));
  const entry = new URL('./engine-thread.ts', import.meta.url);
  const tsx = resolveTsx();
  const boot =
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })` +
    `.catch((e) => { console.error(e); process.exit(1); });`;
  return new Worker(boot, { eval: true });
}

/** URL of tsx's register API (import.meta.resolve is missing under some loaders, e.g. vitest). */
function resolveTsx(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    // require() resolves the CommonJS build (index.cjs); its ES module twin sits beside it.
    return pathToFileURL(
      createRequire(import.meta.url)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
  }
}
