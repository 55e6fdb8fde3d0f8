/** Registered devices (devices): role, region, venue and the SHA-256 of the API key's secret. */
import type { Queryable } from '../../db/database.ts';
import type { DeviceRole } from '../../../domain/principal.ts';
import type { DeviceRecord, DeviceStore, NewDevice } from '../../../ports/device-store.port.ts';

interface Row {
  id: number;
  name: string;
  role: string;
  key_hash: Uint8Array;
  region_code: string | null;
  venue_id: number | null;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, role, key_hash, region_code, venue_id, created_at, revoked_at';

function toRecord(r: Row): DeviceRecord {
  return {
    id: Number(r.id),
    name: r.name,
    role: r.role as DeviceRole,
    keyHash: r.key_hash,
    regionCode: r.region_code,
    venueId: r.venue_id === null ? null : Number(r.venue_id),
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

export class DeviceRepository implements DeviceStore {
  constructor(private readonly db: Queryable) {}

  async add(d: NewDevice): Promise<number> {
    const r = await this.db.query<{ id: number }>(
      `INSERT INTO devices (name, role, key_hash, region_code, venue_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [d.name, d.role, d.keyHash, d.regionCode, d.venueId],
    );
    return Number(r.rows[0]!.id);
  }

  async byId(id: number): Promise<DeviceRecord | undefined> {
    const r = (await this.db.query<Row>(`SELECT ${COLUMNS} FROM devices WHERE id = $1`, [id])).rows[0];
    return r && toRecord(r);
  }

  async revoke(id: number, now: Date): Promise<DeviceRecord | undefined> {
    const r = (
      await this.db.query<Row>(
        `UPDATE devices SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, now],
      )
    ).rows[0];
    return r && toRecord(r);
  }

  async list(): Promise<DeviceRecord[]> {
    return (await this.db.query<Row>(`SELECT ${COLUMNS} FROM devices ORDER BY id`)).rows.map(toRecord);
  }
}
