// Worker-thread entry: runs the pure engine on one person range of shared ping columns.
import { parentPort, workerData } from 'node:worker_threads';
import { findCompanionsInRange } from '../../geo/companion-engine.ts';
import type { CaseIndex } from '../../geo/case-index.ts';
import type { PingColumns } from '../../geo/companion-types.ts';

interface Job {
  pings: PingColumns;
  index: CaseIndex;
  lo: number;
  hi: number;
}

const port = parentPort;
if (port === null) throw new Error('engine-thread must run as a worker thread');
const { pings, index, lo, hi } = workerData as Job;
const started = performance.now();
const pairs = findCompanionsInRange(pings, index, lo, hi, (done, total) =>
  port.postMessage({ type: 'progress', done, total }),
);
port.postMessage({ type: 'done', pairs, ms: performance.now() - started }, [
  pairs.person.buffer, pairs.caseId.buffer, pairs.seconds.buffer, pairs.firstTs.buffer, pairs.lastTs.buffer,
] as ArrayBuffer[]);
