/**
 * The protocol of the file reader threads (pings, person feeds), both sides: the thread reads a
 * block only when the consumer asks for one (the request carries what the block is checked
 * against, e.g. the consumer's clock), posts it, and ends with `end`, or with `error` when the file
 * cannot be read. The consumer keeps `ahead` requests out, so memory stays bounded.
 */
import { parentPort, workerData, type Worker } from 'node:worker_threads';
import { Inbox } from './inbox.ts';

export type FileThreadReply<B> =
  ({ type: 'block' } & B) | { type: 'end' } | { type: 'error'; message: string; code?: string };

/**
 * Runs this worker thread's reader: `run(job, next, post)` gets the job (the thread's workerData),
 * waits for each request with `next()` and posts its replies; a failure is posted as `error`.
 */
export function runFileThread<Job, Request, B>(
  run: (
    job: Job,
    next: () => Promise<Request>,
    post: (m: FileThreadReply<B>, transfer?: ArrayBuffer[]) => void,
  ) => Promise<void>,
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
    port.postMessage({
      type: 'error',
      message: e instanceof Error ? e.message : String(err),
      ...(e.code ? { code: e.code } : {}),
    } satisfies FileThreadReply<B>);
  });
}

/** The error a consumer reports when the file (`what.name`, e.g. `pings file`) cannot be read. */
export function fileReadError(what: { name: string; path: string }, message: string, code?: string): Error {
  return Object.assign(new Error(`cannot read ${what.name} ${what.path}: ${message}`), code ? { code } : {});
}

/**
 * The consumer's side: asks `worker` for `ahead` blocks at once (a `request()` each) and for one
 * more each time a block is taken; yields the blocks in file order. Rejects with `fileReadError`
 * when the thread cannot read the file, or when it fails or exits early. The caller terminates
 * the worker.
 */
export function threadBlocks<B>(
  worker: Worker,
  what: { name: string; path: string },
  request: () => unknown,
  ahead = 2,
): AsyncGenerator<B> {
  const inbox = new Inbox<FileThreadReply<B>>(worker, what);
  for (let i = 0; i < ahead; i++) worker.postMessage(request());
  return (async function* () {
    for (;;) {
      const m = await inbox.next();
      if (m.type === 'end') return;
      if (m.type === 'error') throw fileReadError(what, m.message, m.code);
      yield m as B;
      worker.postMessage(request());
    }
  })();
}
