// Worker-thread entry: runs the pure engine on person ranges of shared ping columns, one job per
// message, so a pool's threads are started (and warmed) once and reused.
import { parentPort } from 'node:worker_threads';
import { findCompanionsInRange } from '../../geo/companion-engine.ts';
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
port.on('message', (job: EngineJob) => {
  const started = performance.now();
  const pairs = findCompanionsInRange(job.pings, job.index, job.lo, job.hi, (done, total) =>
    port.postMessage({ type: 'progress', done, total }),
  );
  port.postMessage({ type: 'done', pairs, ms: performance.now() - started }, [
    pairs.person.buffer, pairs.caseId.buffer, pairs.seconds.buffer, pairs.firstTs.buffer, pairs.lastTs.buffer,
  ] as ArrayBuffer[]);
});
port.postMessage({ type: 'ready' });
