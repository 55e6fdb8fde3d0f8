/**
 * The database schema as a set of migrations (docs/DESIGN.md §12). A production process asks
 * `pending()` and refuses an out-of-date schema; `hc migrate` (and the embedded default on start)
 * calls `apply()`.
 */

/** One migration file of a set, as the runner sees it. */
export interface MigrationInfo {
  /** file name, e.g. `0500_persons_keys.sql` */
  name: string;
  /** SHA-256 (hex) of the file's text, line endings normalised to LF */
  checksum: string;
}

/** What the database holds compared with the files of one migration set. */
export interface MigrationStatus {
  /** the set's name: `platform`, `testing` */
  set: string;
  /** applied, in file order, with the checksum recorded when they were applied */
  applied: MigrationInfo[];
  /** files not applied yet, in the order `apply()` would apply them */
  pending: MigrationInfo[];
  /** applied files whose text is no longer what was applied (the runner refuses to run) */
  changed: Array<{ name: string; recorded: string; current: string }>;
  /** recorded as applied but not among the files (a newer version of the code migrated this database) */
  unknown: string[];
}

/** One set of migrations on one database. */
export interface SchemaMigrations {
  /** The set's name (`platform`, `testing`). */
  readonly set: string;
  /** Full comparison of files and database; reads only, changes nothing. */
  status(): Promise<MigrationStatus>;
  /** Names of the files not yet applied, in order; throws MIGRATION_CHANGED if an applied file was edited. Reads only. */
  pending(): Promise<string[]>;
  /** Applies every pending file under the set's lock, all in one transaction; returns the names applied. */
  apply(): Promise<string[]>;
}

/** An applied migration's file was edited: the database's schema is not what the files say. */
export class MigrationChangedError extends Error {
  readonly code = 'MIGRATION_CHANGED';
  constructor(message: string) {
    super(message);
    this.name = 'MigrationChangedError';
  }
}

/**
 * A production process found migrations not applied to its database: it refuses to serve
 * (`hc migrate` is the one step that changes the schema, docs/OPERATIONS.md).
 */
export class SchemaOutOfDateError extends Error {
  readonly code = 'SCHEMA_OUT_OF_DATE';
  constructor(
    message: string,
    /** the set whose files are not applied */
    readonly set: string,
    /** the files not applied, in order */
    readonly pending: readonly string[],
  ) {
    super(message);
    this.name = 'SchemaOutOfDateError';
  }
}
