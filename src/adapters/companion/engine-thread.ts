// Worker-thread entry: runs the pure engine on person ranges of shared ping columns, one job per
// message, so a pool's threads are started (and warmed) once and reused.
import { parentPort } from 'node:worker_threads';
import { findCompanionsInRange, type EngineWork } from '../../geo/companion-engine.ts';
import { PairBuilder } from '../../geo/pair-builder.ts';
import type { CaseIndex } from '../../geo/case-index.ts';
import type { PingColumns } from '../../geo/companion-types.ts';

export interface EngineJob {
  pings: PingColumns;
  index: CaseIndex;
  lo: number;
  hi: number;
}

const port = parentPort;
if (port === null) throw new Error('engine-thread must run as a worker thread');
// Kept between jobs: a warm thread touches no fresh memory. Pairs live in shared memory and are
// read in place by the caller, valid until this thread's next job.
const work: EngineWork = { pairs: new PairBuilder(true) };
port.on('message', (job: EngineJob) => {
  const started = performance.now();
  const pairs = findCompanionsInRange(
    job.pings, job.index, job.lo, job.hi,
    (done, total) => port.postMessage({ type: 'progress', done, total }),
    work,
  );
  port.postMessage({ type: 'done', pairs, ms: performance.now() - started });
});
port.postMessage({ type: 'ready' });
