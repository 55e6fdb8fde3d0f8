/**
 * Makes an embedded PGlite look like a `pg` Pool so Kysely's PostgresDialect and our raw SQL run
 * unchanged on both. PGlite has one session, so a "connection" is an exclusive lease: a
 * transaction holds it from BEGIN to COMMIT and nobody else's statement can slip in between.
 */
import type { PGlite } from '@electric-sql/pglite';
import { pgliteParam } from './pg-params.ts';

export interface PoolQueryResult<R> {
  rows: R[];
  rowCount: number | null;
  command: string;
}

export interface PoolClientLike {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<PoolQueryResult<R>>;
  release(): void;
}

export class PglitePool {
  private queue: Array<() => void> = [];
  private busy = false;

  constructor(readonly pglite: PGlite) {}

  async connect(): Promise<PoolClientLike> {
    await this.acquire();
    let released = false;
    return {
      query: <R>(text: string, params?: readonly unknown[]) => this.run<R>(text, params),
      release: () => {
        if (released) return;
        released = true;
        this.releaseLease();
      },
    };
  }

  /** One statement outside any transaction. */
  async query<R = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<PoolQueryResult<R>> {
    const client = await this.connect();
    try {
      return await client.query<R>(text, params);
    } finally {
      client.release();
    }
  }

  async end(): Promise<void> {
    await this.pglite.close();
  }

  private async run<R>(text: string, params?: readonly unknown[]): Promise<PoolQueryResult<R>> {
    const res = await this.pglite.query<R>(text, params?.map(pgliteParam));
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length, command: firstWord(text) };
  }

  private acquire(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private releaseLease(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.busy = false;
  }
}

function firstWord(sql: string): string {
  const m = /^\s*(\w+)/.exec(sql);
  return m?.[1]?.toUpperCase() ?? '';
}
