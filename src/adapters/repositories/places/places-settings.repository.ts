/** The operator's `settings` row 'places' (JSON overriding the places defaults). */
import type { Database } from '../../db/database.ts';

export class PlacesSettingsRepository {
  constructor(private readonly db: Database) {}

  /** The stored JSON, or undefined when the operator set nothing. */
  async read(): Promise<Record<string, unknown> | undefined> {
    const r = await this.db.query<{ value: Record<string, unknown> }>(
      `SELECT value FROM settings WHERE key = 'places'`,
    );
    return r.rows[0]?.value;
  }
}
