// Runs the companion engine on several cores over shared ping columns: persons are split into
// contiguous id ranges (a pair belongs to its person's range, so ranges never double count), first
// per thread to group the rows by person, then into smaller chunks that the threads take in turn.
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { startThread } from '../threads/start-thread.ts';
import { buildCaseIndex, caseBits, type CaseIndex } from '../../geo/case-index.ts';
import { findCompanionsInRange, resolveParams, type EngineWork } from '../../geo/companion-engine.ts';
import { PairBuilder } from '../../geo/pair-builder.ts';
import type { PersonRuns } from '../../geo/presence.ts';
import type { SweepDone, ThreadJob, ThreadReply } from './engine-thread.ts';
import type { CompanionPairs, CompanionParams, PingColumns } from '../../geo/companion-types.ts';

export interface RunOptions {
  onProgress?: (done: number, total: number) => void;
}

export interface PoolResult {
  /** Pairs per person range (chunk), in person order (views valid until the pool's next run). */
  parts: CompanionPairs[];
  count: number;
  /** Milliseconds: case index build, and each thread's sweep time (each range's with 1 thread). */
  indexMs: number;
  rangeMs: number[];
  /** Milliseconds from the start of the run until the sweep starts (grouping rows, index). */
  prepareMs?: number;
}

/** Chunks of persons per thread for the sweep: enough to even out, few enough to stay cheap. */
const CHUNKS_PER_THREAD = 16;

/** A set of warm engine threads; with 1 thread it runs in the calling thread. */
export class EnginePool {
  private readonly work: EngineWork = { pairs: new PairBuilder() };
  /** Shared person-grouped table, reused between runs (grown when a run needs more). */
  private table: PersonRuns | null = null;
  private counts: Uint32Array[] = [];
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

  /**
   * Companions of all persons of `pings` (columns should sit in SharedArrayBuffers). With threads:
   * (1) each thread groups the rows of its person range into one shared person-grouped table
   * while this thread builds the case index; (2) the threads sweep chunks of persons taken from a
   * shared counter. Pairs come back as per-chunk views, in person order.
   */
  async run(
    pings: PingColumns,
    casePersonIds: ArrayLike<number>,
    params: CompanionParams,
    opts: RunOptions = {},
  ): Promise<PoolResult> {
    const P = pings.personCount;
    if (this.workers.length === 0) {
      const t0 = performance.now();
      const index = buildCaseIndex(pings, casePersonIds, resolveParams(pings, params));
      const indexMs = performance.now() - t0;
      const s = performance.now();
      const pairs = findCompanionsInRange(pings, index, 0, P, opts.onProgress, this.work);
      return { parts: [pairs], count: pairs.count, indexMs, rangeMs: [performance.now() - s] };
    }
    const started = performance.now();
    const shared = sharedColumns(pings);
    const runs = this.personTable(shared);
    const k = this.workers.length;
    const lo = (i: number): number => Math.floor((P * i) / k);
    let indexMs = 0;
    let index: CaseIndex;
    const build = (caseRows?: number[]): CaseIndex => {
      const t0 = performance.now();
      const x = shareIndex(buildCaseIndex(pings, casePersonIds, resolveParams(pings, params), caseRows));
      indexMs = performance.now() - t0;
      return x;
    };
    if (shared.sortedByPerson) {
      // Grouped input: each thread fills its part of the run offsets while the index is built.
      const prepared = this.workers.map((w, i) =>
        ask(w, { type: 'prepare', pings: shared, lo: lo(i), hi: lo(i + 1), start: runs.start }, 'prepared'),
      );
      try {
        index = build();
      } finally {
        await Promise.all(prepared);
      }
    } else {
      // Time-ordered input: a parallel counting sort by person, each thread on its share of the
      // rows (count, scatter) or its range of persons (place); the case rows are found on the way
      // and the index is built while the rows are placed and scattered.
      const n = shared.person.length;
      const counts = this.countArrays(k, P);
      const bounds = Uint32Array.from({ length: k + 1 }, (_, i) => lo(i));
      const isCase = caseBits(P, casePersonIds);
      const row = (i: number): number => Math.floor((n * i) / k);
      const counted = (await Promise.all(
        this.workers.map((w, t) =>
          ask(
            w,
            {
              type: 'count',
              person: shared.person,
              r0: row(t),
              r1: row(t + 1),
              counts: counts[t]!,
              isCase,
              bounds,
            },
            'counted',
          ),
        ),
      )) as Array<Extract<ThreadReply, { type: 'counted' }>>;
      let base = 0;
      const placed = this.workers.map((w, d) => {
        const job: ThreadJob = { type: 'place', counts, lo: lo(d), hi: lo(d + 1), base, start: runs.start };
        for (const c of counted) base += c.rangeRows[d]!;
        return ask(w, job, 'placed');
      });
      try {
        index = build(counted.flatMap((c) => c.caseRows));
      } finally {
        await Promise.all(placed);
      }
      await Promise.all(
        this.workers.map((w, t) =>
          ask(
            w,
            { type: 'scatter', pings: shared, r0: row(t), r1: row(t + 1), cursor: counts[t]!, dest: runs },
            'prepared',
          ),
        ),
      );
    }
    const prepareMs = performance.now() - started;
    const nChunks = Math.min(P, k * CHUNKS_PER_THREAD);
    const bounds = Uint32Array.from({ length: nChunks + 1 }, (_, c) => Math.floor((P * c) / nChunks));
    const next = new Int32Array(new SharedArrayBuffer(4));
    let done = 0;
    const results = await Promise.all(
      this.workers.map(
        (w) =>
          ask(w, { type: 'sweep', runs, index, bounds, next }, 'done', (d) => {
            done += d;
            opts.onProgress?.(done, P);
          }) as Promise<SweepDone>,
      ),
    );
    const parts: CompanionPairs[] = new Array<CompanionPairs>(nChunks);
    for (const r of results) {
      for (let i = 0; i < r.chunks.length; i += 3) {
        parts[r.chunks[i]!] = slicePairs(r.pairs, r.chunks[i + 1]!, r.chunks[i + 2]!);
      }
    }
    return {
      parts,
      count: results.reduce((a, r) => a + r.pairs.count, 0),
      indexMs,
      rangeMs: results.map((r) => r.ms),
      prepareMs,
    };
  }

  /** One shared per-person count array per thread (reused between runs). */
  private countArrays(k: number, P: number): Uint32Array[] {
    if (this.counts.length !== k || this.counts[0]!.buffer.byteLength < 4 * P) {
      this.counts = Array.from({ length: k }, () => new Uint32Array(new SharedArrayBuffer(4 * P)));
    }
    return this.counts.map((c) => new Uint32Array(c.buffer, 0, P));
  }

  /** The shared person-grouped table for these pings: the input itself when already grouped. */
  private personTable(p: PingColumns): PersonRuns {
    const n = p.person.length;
    const t = this.table;
    const start =
      t && t.start.buffer.byteLength >= 4 * (p.personCount + 1)
        ? new Uint32Array(t.start.buffer, 0, p.personCount + 1)
        : new Uint32Array(new SharedArrayBuffer(4 * (p.personCount + 1)));
    const fits = t !== null && t.ts.buffer.byteLength >= 4 * n;
    const table: PersonRuns =
      p.sortedByPerson || fits
        ? {
            start,
            ts: t?.ts ?? new Uint32Array(0),
            lat: t?.lat ?? new Float64Array(0),
            lon: t?.lon ?? new Float64Array(0),
          }
        : {
            start,
            ts: new Uint32Array(new SharedArrayBuffer(4 * n)),
            lat: new Float64Array(new SharedArrayBuffer(8 * n)),
            lon: new Float64Array(new SharedArrayBuffer(8 * n)),
          };
    this.table = table;
    if (p.sortedByPerson) return { start, ts: p.ts, lat: p.lat, lon: p.lon };
    return {
      start,
      ts: new Uint32Array(table.ts.buffer, 0, n),
      lat: new Float64Array(table.lat.buffer, 0, n),
      lon: new Float64Array(table.lon.buffer, 0, n),
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

/** Posts `job` to a thread; resolves with its next reply of type `type` (progress replies go to onProgress meanwhile). */
function ask(
  w: Worker,
  job: ThreadJob,
  type: ThreadReply['type'],
  onProgress?: (done: number) => void,
): Promise<ThreadReply> {
  const reply = new Promise<ThreadReply>((resolve, reject) => {
    const onMessage = (m: ThreadReply): void => {
      if (m.type === 'progress') onProgress?.(m.done);
      else if (m.type === type) {
        w.off('message', onMessage);
        w.off('error', reject);
        resolve(m);
      }
    };
    w.on('message', onMessage);
    w.once('error', reject);
  });
  w.postMessage(job);
  return reply;
}

/** The index with its larger arrays moved to shared memory, so posting it to a thread copies nothing big. */
function shareIndex(x: CaseIndex): CaseIndex {
  const out: Record<string, unknown> = { ...x };
  for (const [key, v] of Object.entries(x)) {
    if (ArrayBuffer.isView(v) && v.byteLength >= 1 << 16 && !(v.buffer instanceof SharedArrayBuffer)) {
      const a = v as Uint8Array;
      const b = new (a.constructor as Uint8ArrayConstructor)(
        new SharedArrayBuffer(a.byteLength) as unknown as ArrayBuffer,
      );
      b.set(a);
      out[key] = b;
    }
  }
  return out as unknown as CaseIndex;
}

function slicePairs(p: CompanionPairs, from: number, to: number): CompanionPairs {
  return {
    count: to - from,
    person: p.person.subarray(from, to),
    caseId: p.caseId.subarray(from, to),
    seconds: p.seconds.subarray(from, to),
    firstTs: p.firstTs.subarray(from, to),
    lastTs: p.lastTs.subarray(from, to),
  };
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
    ...(p.sortedByPerson ? { sortedByPerson: true } : {}),
  };
}

/** Starts engine-thread.ts (adapters/threads/start-thread.ts: with tsx when running from sources). */
function spawnEngineThread(): Worker {
  return startThread(new URL('./engine-thread.ts', import.meta.url));
}
