/**
 * The protocol of the file reader threads (pings, person feeds): the thread reads a block only
 * when the consumer asks for one (the request carries what the block is checked against, e.g. the
 * consumer's clock), posts it, and ends with `end`, or with `error` when the file cannot be read.
 */
import { parentPort, workerData } from 'node:worker_threads';

export type FileThreadReply<B> = ({ type: 'block' } & B) | { type: 'end' } | { type: 'error'; message: string; code?: string };

/**
 * Runs this worker thread's reader: `run(job, next, post)` gets the job (the thread's workerData),
 * waits for each request with `next()` and posts its replies; a failure is posted as `error`.
 */
export function runFileThread<Job, Request, B>(
  run: (job: Job, next: () => Promise<Request>, post: (m: FileThreadReply<B>, transfer?: ArrayBuffer[]) => void) => Promise<void>,
): void {
  const port = parentPort;
  if (!port) throw new Error('a file reader runs as a worker thread');
  const wanted: Request[] = [];
  let wake: (() => void) | undefined;
  port.on('message', (q: Request) => {
    wanted.push(q);
    wake?.();
  });
  const next = async (): Promise<Request> => {
    while (wanted.length === 0) await new Promise<void>((r) => (wake = r));
    wake = undefined;
    return wanted.shift() as Request;
  };
  run(workerData as Job, next, (m, transfer) => port.postMessage(m, transfer ?? [])).catch((err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(err), ...(e.code ? { code: e.code } : {}) } satisfies FileThreadReply<B>);
  });
}
