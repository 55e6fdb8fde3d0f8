/**
 * Repositories serve both the pool and one transaction (a unit of work). Work that must be atomic
 * on its own runs in a transaction of its own on the pool, or directly when already inside one.
 */
import type { Database, Queryable, Transaction } from './database.ts';

export type Scope = Database | Transaction;

/** Runs `fn` atomically: in a new transaction on a pool, as it is inside an open one. */
export function atomically<T>(q: Scope, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return 'transaction' in q ? q.transaction(fn) : fn(q);
}
