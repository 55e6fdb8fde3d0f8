/**
 * The schema on start (docs/OPERATIONS.md "Migrations"): the embedded default migrates itself; a
 * production process only reads what is applied and refuses to serve an out-of-date schema —
 * `hc migrate` is the one explicit step that changes it.
 */
import { SchemaOutOfDateError, type SchemaMigrations } from '../ports/schema-migrations.port.ts';

/** What a process does with its schema when it starts. */
export type SchemaOnStart = 'apply' | 'check' | 'skip';

/** Exit code of a process that refused to start on an out-of-date or edited schema. */
export const EXIT_SCHEMA = 3;

/**
 * Throws SchemaOutOfDateError when a migration of the set is not applied, MigrationChangedError
 * when an applied one was edited since; reads only.
 */
export async function requireCurrentSchema(m: SchemaMigrations, where: string): Promise<void> {
  const pending = await m.pending();
  if (pending.length === 0) return;
  throw new SchemaOutOfDateError(
    `数据库结构不是最新 the ${m.set} schema of ${where} is out of date: ${pending.length} migration(s) not applied ` +
      `(${pending.join(', ')}). Run \`hc migrate\` first; a production process never changes the schema on start ` +
      '(docs/OPERATIONS.md).',
    m.set,
    pending,
  );
}

/** Applies, checks or skips the set as `mode` says; returns the files applied. */
export async function schemaOnStart(
  m: SchemaMigrations,
  mode: SchemaOnStart,
  where: string,
): Promise<string[]> {
  switch (mode) {
    case 'apply':
      return m.apply();
    case 'check':
      await requireCurrentSchema(m, where);
      return [];
    case 'skip':
      return [];
  }
}
