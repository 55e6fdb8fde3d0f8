/** What the ingestion bench and its key-population harness share: the admin connection and the synthetic residents. */
import pg from 'pg';
import { makeResidentId } from '../../src/domain/document-number.ts';

export const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One statement on the admin database (CREATE / DROP DATABASE). */
export async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query(sql);
  await c.end();
}

/** The i-th synthetic resident's valid ID number (deterministic). */
export function docOf(i: number): string {
  return makeResidentId('520102', `19${String(30 + Math.floor(i / 1000) % 70).padStart(2, '0')}0${1 + (Math.floor(i / 70000) % 9)}1${Math.floor(i / 630000) % 10}`, i % 1000, i % 2 === 0);
}
