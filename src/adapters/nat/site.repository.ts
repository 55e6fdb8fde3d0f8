/** Testing sites and their slots over `testing.sites` / `testing.slots` (docs/DESIGN.md §7). */
import type { NatSite, NatSiteStore, NatSlotInput, NatSlotRow } from '../../ports/nat.port.ts';
import type { Queryable } from '../db/database.ts';

type SlotRow = {
  id: number;
  site_id: number;
  starts_at: Date;
  ends_at: Date;
  capacity: number;
  booked: number;
};
type SiteRow = { id: number; name: string; region_code: string; address: string };

const toSlot = (s: SlotRow): NatSlotRow => ({
  id: s.id,
  siteId: s.site_id,
  startsAt: s.starts_at,
  endsAt: s.ends_at,
  capacity: s.capacity,
  booked: s.booked,
});
const toSite = (s: SiteRow): NatSite => ({
  id: s.id,
  name: s.name,
  regionCode: s.region_code,
  address: s.address,
});
const SLOT_COLUMNS = 'id, site_id, starts_at, ends_at, capacity, booked';

export class NatSiteRepository implements NatSiteStore {
  constructor(private readonly q: Queryable) {}

  async insert(site: Omit<NatSite, 'id'>): Promise<number> {
    const r = await this.q.query<{ id: number }>(
      'INSERT INTO testing.sites (name, region_code, address) VALUES ($1, $2, $3) RETURNING id',
      [site.name, site.regionCode, site.address],
    );
    return (r.rows[0] as { id: number }).id;
  }

  async get(id: number): Promise<NatSite | undefined> {
    const r = await this.q.query<SiteRow>(
      'SELECT id, name, region_code, address FROM testing.sites WHERE id = $1',
      [id],
    );
    return r.rows[0] && toSite(r.rows[0]);
  }

  async list(regionPrefix: string): Promise<NatSite[]> {
    const r = await this.q.query<SiteRow>(
      "SELECT id, name, region_code, address FROM testing.sites WHERE region_code LIKE $1 || '%' ORDER BY id",
      [regionPrefix],
    );
    return r.rows.map(toSite);
  }

  async upsertSlots(siteId: number, slots: readonly NatSlotInput[]): Promise<NatSlotRow[]> {
    const r = await this.q.query<SlotRow>(
      `INSERT INTO testing.slots (site_id, starts_at, ends_at, capacity)
       SELECT $1, to_timestamp(u.s / 1000.0), to_timestamp(u.e / 1000.0), u.c FROM unnest($2::float8[], $3::float8[], $4::int[]) AS u(s, e, c)
       ON CONFLICT (site_id, starts_at) DO UPDATE SET ends_at = EXCLUDED.ends_at, capacity = EXCLUDED.capacity
       RETURNING ${SLOT_COLUMNS}`,
      [siteId, slots.map((s) => s.startsAt), slots.map((s) => s.endsAt), slots.map((s) => s.capacity)],
    );
    return r.rows.map(toSlot);
  }

  async openSlots(siteId: number, now: Date): Promise<NatSlotRow[]> {
    const r = await this.q.query<SlotRow>(
      `SELECT ${SLOT_COLUMNS} FROM testing.slots WHERE site_id = $1 AND ends_at > $2 ORDER BY starts_at`,
      [siteId, now],
    );
    return r.rows.map(toSlot);
  }

  async lockSlot(slotId: number): Promise<NatSlotRow | undefined> {
    const r = await this.q.query<SlotRow>(
      `SELECT ${SLOT_COLUMNS} FROM testing.slots WHERE id = $1 FOR UPDATE`,
      [slotId],
    );
    return r.rows[0] && toSlot(r.rows[0]);
  }

  async addBooked(slotId: number, delta: number): Promise<void> {
    await this.q.query('UPDATE testing.slots SET booked = greatest(booked + $2, 0) WHERE id = $1', [
      slotId,
      delta,
    ]);
  }
}
