/**
 * A worker thread's replies, taken in order: a thread that fails or exits early becomes an error
 * once the replies it sent before have been taken.
 */
import type { Worker } from 'node:worker_threads';

export class Inbox<T> {
  private readonly replies: T[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  /** `what`: the thread's work, for the errors (e.g. `pings file thread … reading x.csv`). */
  constructor(worker: Worker, what: { name: string; path: string }) {
    worker.on('message', (m: T) => {
      this.replies.push(m);
      this.wake?.();
    });
    worker.on('error', (err) => {
      this.failure ??= new Error(`${what.name} thread failed reading ${what.path}: ${err.message}`, {
        cause: err,
      });
      this.wake?.();
    });
    worker.on('exit', (code) => {
      this.failure ??= new Error(`${what.name} thread exited (code ${code}) before the end of ${what.path}`);
      this.wake?.();
    });
  }

  async next(): Promise<T> {
    for (;;) {
      const m = this.replies.shift();
      if (m !== undefined) return m;
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}
