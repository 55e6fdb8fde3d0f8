/**
 * Testing sites (采样点) and their time slots with capacity, managed by officers inside their
 * region like the rest of the platform (docs/DESIGN.md §11): a site only in the officer's region,
 * slots only of such a site. Every change writes its audit entry in the same transaction.
 */
import { inRegion, type NatOfficer } from '../../domain/nat/nat.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { NatSite, NatSlotRow, NatStores, NatUnitOfWork } from '../../ports/nat.port.ts';
import { AppError } from '../app-error.ts';

export type Site = NatSite;

export interface Slot {
  id: number;
  siteId: number;
  startsAt: string;
  endsAt: string;
  capacity: number;
  booked: number;
  remaining: number;
}

export const toSlot = (s: NatSlotRow): Slot => ({
  id: s.id,
  siteId: s.siteId,
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
  capacity: s.capacity,
  booked: s.booked,
  remaining: Math.max(0, s.capacity - s.booked),
});

export class SiteService {
  constructor(
    private readonly uow: NatUnitOfWork,
    private readonly stores: NatStores,
    private readonly clock: Clock,
  ) {}

  /** Registers a testing site inside the officer's region (SITE_OUT_OF_REGION otherwise). */
  async addSite(by: NatOfficer, input: { name: string; regionCode: string; address: string }): Promise<Site> {
    if (!/^\d{6}$/.test(input.regionCode))
      throw new AppError('SITE_BAD_REGION', 400, 'regionCode must be a 6-digit division code');
    if (!inRegion(input.regionCode, by.regionPrefix))
      throw new AppError(
        'SITE_OUT_OF_REGION',
        403,
        `you may add testing sites only inside region ${by.regionPrefix}`,
      );
    const site = { name: input.name, regionCode: input.regionCode, address: input.address };
    const id = await this.uow.run(async (s) => {
      const siteId = await s.sites.insert(site);
      await s.audit.append([
        {
          at: new Date(this.clock.now()),
          actor: by.actor,
          action: 'nat.site.add',
          regionCode: site.regionCode,
          detail: { siteId, name: site.name },
        },
      ]);
      return siteId;
    });
    return { id, ...site };
  }

  /** Sites, optionally those whose region code starts with a prefix. */
  async sites(regionPrefix = ''): Promise<Site[]> {
    return this.stores.sites.list(regionPrefix);
  }

  /**
   * Adds (or re-sizes) time slots of a site in the officer's region; a slot is identified by its
   * start. SITE_UNKNOWN for no such site, SITE_OUT_OF_REGION for another region's site.
   */
  async addSlots(
    by: NatOfficer,
    siteId: number,
    slots: ReadonlyArray<{ startsAt: number; endsAt: number; capacity: number }>,
  ): Promise<Slot[]> {
    for (const s of slots)
      if (!Number.isFinite(s.startsAt) || !Number.isFinite(s.endsAt) || s.endsAt <= s.startsAt)
        throw new AppError('SLOT_BAD_TIMES', 400, 'a slot must end after it starts');
    return this.uow.run(async (s) => {
      const site = await s.sites.get(siteId);
      if (!site) throw new AppError('SITE_UNKNOWN', 404, `no testing site ${siteId}`);
      if (!inRegion(site.regionCode, by.regionPrefix))
        throw new AppError(
          'SITE_OUT_OF_REGION',
          403,
          `you may change slots only of testing sites inside region ${by.regionPrefix}`,
        );
      const rows = await s.sites.upsertSlots(siteId, slots);
      await s.audit.append([
        {
          at: new Date(this.clock.now()),
          actor: by.actor,
          action: 'nat.slots.set',
          regionCode: site.regionCode,
          detail: {
            siteId,
            slots: rows.map((r) => ({ id: r.id, startsAt: r.startsAt.toISOString(), capacity: r.capacity })),
          },
        },
      ]);
      return rows.map(toSlot);
    });
  }

  /** The site's slots that have not ended yet. */
  async slots(siteId: number): Promise<Slot[]> {
    return (await this.stores.sites.openSlots(siteId, new Date(this.clock.now()))).map(toSlot);
  }
}
