// Worker-thread entry. With threads, one companion run is a few messages. For time-ordered input,
// the rows are grouped by person in three steps over shared memory, each thread doing one share of
// the rows or one range of persons: "count" (rows per person in its share of the rows, and the
// case rows on the way), "place" (run offsets and write cursors for its person range), "scatter"
// (its share of the rows to their places). For input already grouped by person, "prepare" just
// fills its part of the run offsets. "sweep" then takes chunks of persons from a shared counter
// until none is left, so a thread that is slowed down (other load, a busier part of the city) does
// not hold the run. Threads are started (and warmed) once and reused.
import { parentPort } from 'node:worker_threads';
import { sweepRuns } from '../../geo/companion-engine.ts';
import { PairBuilder } from '../../geo/pair-builder.ts';
import { countRows, placeRuns, scatterRows, startsOfSorted, type PersonRuns } from '../../geo/presence.ts';
import type { CaseIndex } from '../../geo/case-index.ts';
import type { CompanionPairs, PingColumns } from '../../geo/companion-types.ts';

export type ThreadJob =
  | {
      type: 'count';
      person: Uint32Array;
      r0: number;
      r1: number;
      counts: Uint32Array;
      isCase: Uint8Array;
      bounds: Uint32Array;
    }
  | { type: 'place'; counts: Uint32Array[]; lo: number; hi: number; base: number; start: Uint32Array }
  | { type: 'scatter'; pings: PingColumns; r0: number; r1: number; cursor: Uint32Array; dest: PersonRuns }
  | { type: 'prepare'; pings: PingColumns; lo: number; hi: number; start: Uint32Array }
  | SweepJob;

export interface SweepJob {
  type: 'sweep';
  runs: PersonRuns;
  index: CaseIndex;
  /** Chunk c covers persons [bounds[c], bounds[c + 1]). */
  bounds: Uint32Array;
  /** Shared Int32Array(1): the next chunk to take. */
  next: Int32Array;
}

export type ThreadReply =
  | { type: 'ready' }
  | { type: 'counted'; caseRows: number[]; rangeRows: number[] }
  | { type: 'placed' }
  | { type: 'prepared' }
  | { type: 'progress'; done: number }
  | SweepDone;

export interface SweepDone {
  type: 'done';
  pairs: CompanionPairs;
  /** Per chunk taken: [chunk, first pair, end pair] in `pairs`. */
  chunks: number[];
  ms: number;
}

const port = parentPort;
if (port === null) throw new Error('engine-thread must run as a worker thread');
// Kept between runs: a warm thread touches no fresh memory. Pairs live in shared memory and are
// read in place by the caller, valid until this thread's next run.
const out = new PairBuilder(true);
const reply = (m: ThreadReply): void => port.postMessage(m);
port.on('message', (job: ThreadJob) => {
  switch (job.type) {
    case 'count': {
      const caseRows = countRows(job.person, job.r0, job.r1, job.counts, job.isCase);
      // Rows of this share per person range, so that the caller can place the ranges.
      const rangeRows: number[] = [];
      for (let d = 0; d + 1 < job.bounds.length; d++) {
        let n = 0;
        for (let p = job.bounds[d]!; p < job.bounds[d + 1]!; p++) n += job.counts[p]!;
        rangeRows.push(n);
      }
      reply({ type: 'counted', caseRows, rangeRows });
      return;
    }
    case 'place':
      placeRuns(job.counts, job.lo, job.hi, job.base, job.start);
      reply({ type: 'placed' });
      return;
    case 'scatter':
      scatterRows(job.pings, job.r0, job.r1, job.cursor, job.dest);
      reply({ type: 'prepared' });
      return;
    case 'prepare':
      startsOfSorted(job.pings, job.lo, job.hi, job.start);
      reply({ type: 'prepared' });
      return;
    case 'sweep': {
      const started = performance.now();
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
        reply({ type: 'progress', done: hi - lo });
      }
      reply({ type: 'done', pairs: out.finish(), chunks, ms: performance.now() - started });
    }
  }
});
reply({ type: 'ready' });
