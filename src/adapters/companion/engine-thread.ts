// Worker-thread entry: one companion run is two messages. "prepare" groups the rows of this
// thread's person range into the shared person-grouped table (or, for input already grouped by
// person, just fills its part of the run offsets); "sweep" then takes chunks of persons from a
// shared counter until none is left, so a thread that is slowed down (other load, a slower part of
// the city) does not hold the run. Threads are started (and warmed) once and reused.
import { parentPort } from 'node:worker_threads';
import { sweepRuns } from '../../geo/companion-engine.ts';
import { PairBuilder } from '../../geo/pair-builder.ts';
import { gatherInto, startsOfSorted, type PersonRuns } from '../../geo/presence.ts';
import type { CaseIndex } from '../../geo/case-index.ts';
import type { PingColumns } from '../../geo/companion-types.ts';

export interface PrepareJob {
  type: 'prepare';
  pings: PingColumns;
  /** Shared person-grouped table: start has personCount + 1 entries. */
  runs: PersonRuns;
  lo: number;
  hi: number;
}

export interface SweepJob {
  type: 'sweep';
  runs: PersonRuns;
  index: CaseIndex;
  /** Chunk c covers persons [bounds[c], bounds[c + 1]). */
  bounds: Uint32Array;
  /** Shared Int32Array(1): the next chunk to take. */
  next: Int32Array;
}

export interface SweepDone {
  type: 'done';
  pairs: import('../../geo/companion-types.ts').CompanionPairs;
  /** Per chunk taken: [chunk, first pair, end pair] in `pairs`. */
  chunks: number[];
  ms: number;
}

const port = parentPort;
if (port === null) throw new Error('engine-thread must run as a worker thread');
// Kept between runs: a warm thread touches no fresh memory. Pairs live in shared memory and are
// read in place by the caller, valid until this thread's next run.
const out = new PairBuilder(true);
let cursor: Uint32Array | undefined;
port.on('message', (job: PrepareJob | SweepJob) => {
  const started = performance.now();
  if (job.type === 'prepare') {
    if (job.pings.sortedByPerson) startsOfSorted(job.pings, job.lo, job.hi, job.runs.start);
    else cursor = gatherInto(job.pings, job.lo, job.hi, job.runs, cursor);
    port.postMessage({ type: 'prepared', ms: performance.now() - started });
    return;
  }
  out.reset();
  const chunks: number[] = [];
  const nChunks = job.bounds.length - 1;
  for (;;) {
    const c = Atomics.add(job.next, 0, 1);
    if (c >= nChunks) break;
    const lo = job.bounds[c]!;
    const hi = job.bounds[c + 1]!;
    const from = out.count;
    sweepRuns(job.runs, 0, job.index, lo, hi, out);
    chunks.push(c, from, out.count);
    port.postMessage({ type: 'progress', done: hi - lo });
  }
  const done: SweepDone = { type: 'done', pairs: out.finish(), chunks, ms: performance.now() - started };
  port.postMessage(done);
});
port.postMessage({ type: 'ready' });
