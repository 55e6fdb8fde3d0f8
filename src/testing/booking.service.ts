/**
 * Testing sites (采样点), their time slots with capacity, and residents' bookings (预约). Every
 * booking change goes through the outbox so the code service can show "my bookings" without
 * ever calling this service.
 */
import type { Database, Queryable } from '../adapters/db/database.ts';
import type { Clock } from '../ports/clock.port.ts';
import { AppError } from '../services/app-error.ts';
import { addToOutbox } from './outbox.repository.ts';
import { TestingSubjects, type BookingEvent } from './testing.domain.ts';

export interface Site {
  id: number;
  name: string;
  regionCode: string;
  address: string;
}

export interface Slot {
  id: number;
  siteId: number;
  startsAt: string;
  endsAt: string;
  capacity: number;
  booked: number;
  remaining: number;
}

export interface Booking {
  id: number;
  slotId: number;
  siteId: number;
  siteName: string;
  startsAt: string;
  endsAt: string;
  status: 'booked' | 'cancelled';
}

type SlotRow = {
  id: number;
  site_id: number;
  starts_at: Date;
  ends_at: Date;
  capacity: number;
  booked: number;
};
const toSlot = (s: SlotRow): Slot => ({
  id: s.id,
  siteId: s.site_id,
  startsAt: s.starts_at.toISOString(),
  endsAt: s.ends_at.toISOString(),
  capacity: s.capacity,
  booked: s.booked,
  remaining: Math.max(0, s.capacity - s.booked),
});

export class BookingService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly onOutbox: () => void = () => undefined,
  ) {}

  /** Registers a testing site. */
  async addSite(name: string, regionCode: string, address: string): Promise<Site> {
    const r = await this.db.query<{ id: number }>(
      'INSERT INTO testing.sites (name, region_code, address) VALUES ($1, $2, $3) RETURNING id',
      [name, regionCode, address],
    );
    return { id: (r.rows[0] as { id: number }).id, name, regionCode, address };
  }

  /** Sites, optionally those whose region code starts with a prefix. */
  async sites(regionPrefix = ''): Promise<Site[]> {
    const r = await this.db.query<{ id: number; name: string; region_code: string; address: string }>(
      "SELECT id, name, region_code, address FROM testing.sites WHERE region_code LIKE $1 || '%' ORDER BY id",
      [regionPrefix],
    );
    return r.rows.map((s) => ({ id: s.id, name: s.name, regionCode: s.region_code, address: s.address }));
  }

  /** Adds (or re-sizes) time slots of a site; a slot is identified by its start. */
  async addSlots(
    siteId: number,
    slots: ReadonlyArray<{ startsAt: number; endsAt: number; capacity: number }>,
  ): Promise<Slot[]> {
    if (!(await this.siteExists(siteId)))
      throw new AppError('SITE_UNKNOWN', 404, `no testing site ${siteId}`);
    for (const s of slots)
      if (s.endsAt <= s.startsAt)
        throw new AppError('SLOT_BAD_TIMES', 400, 'a slot must end after it starts');
    const r = await this.db.query<SlotRow>(
      `INSERT INTO testing.slots (site_id, starts_at, ends_at, capacity)
       SELECT $1, to_timestamp(u.s / 1000.0), to_timestamp(u.e / 1000.0), u.c FROM unnest($2::float8[], $3::float8[], $4::int[]) AS u(s, e, c)
       ON CONFLICT (site_id, starts_at) DO UPDATE SET ends_at = EXCLUDED.ends_at, capacity = EXCLUDED.capacity
       RETURNING id, site_id, starts_at, ends_at, capacity, booked`,
      [siteId, slots.map((s) => s.startsAt), slots.map((s) => s.endsAt), slots.map((s) => s.capacity)],
    );
    return r.rows.map(toSlot);
  }

  /** The site's slots that have not ended yet. */
  async slots(siteId: number): Promise<Slot[]> {
    const r = await this.db.query<SlotRow>(
      'SELECT id, site_id, starts_at, ends_at, capacity, booked FROM testing.slots WHERE site_id = $1 AND ends_at > $2 ORDER BY starts_at',
      [siteId, new Date(this.clock.now())],
    );
    return r.rows.map(toSlot);
  }

  /** Books a slot for a person; booking the same slot twice returns the first booking. */
  async book(personRef: string, slotId: number): Promise<Booking> {
    const out = await this.db.transaction(async (tx) => {
      const existing = (
        await tx.query<{ id: number }>(
          "SELECT id FROM testing.bookings WHERE slot_id = $1 AND person_ref = $2 AND status = 'booked'",
          [slotId, personRef],
        )
      ).rows[0];
      if (existing) return { id: existing.id, changed: false };
      const slot = (
        await tx.query<SlotRow>(
          'SELECT id, site_id, starts_at, ends_at, capacity, booked FROM testing.slots WHERE id = $1 FOR UPDATE',
          [slotId],
        )
      ).rows[0];
      if (!slot) throw new AppError('SLOT_UNKNOWN', 404, `no slot ${slotId}`);
      if (slot.ends_at.getTime() <= this.clock.now())
        throw new AppError('SLOT_PAST', 409, 'this slot is over; choose a later one');
      if (slot.booked >= slot.capacity)
        throw new AppError('SLOT_FULL', 409, 'this slot is fully booked; choose another');
      await tx.query('UPDATE testing.slots SET booked = booked + 1 WHERE id = $1', [slotId]);
      const id = (
        await tx.query<{ id: number }>(
          'INSERT INTO testing.bookings (slot_id, person_ref, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id',
          [slotId, personRef, new Date(this.clock.now())],
        )
      ).rows[0]?.id as number;
      await this.publish(tx, id);
      return { id, changed: true };
    });
    if (out.changed) this.onOutbox();
    return (await this.byId(out.id)) as Booking;
  }

  /** Cancels the person's booking and frees its place. */
  async cancel(personRef: string, bookingId: number): Promise<Booking> {
    await this.db.transaction(async (tx) => {
      const b = (
        await tx.query<{ slot_id: number; status: string }>(
          'SELECT slot_id, status FROM testing.bookings WHERE id = $1 AND person_ref = $2 FOR UPDATE',
          [bookingId, personRef],
        )
      ).rows[0];
      if (!b) throw new AppError('BOOKING_UNKNOWN', 404, `no booking ${bookingId} of yours`);
      if (b.status === 'cancelled') return;
      await tx.query("UPDATE testing.bookings SET status = 'cancelled', updated_at = $2 WHERE id = $1", [
        bookingId,
        new Date(this.clock.now()),
      ]);
      await tx.query('UPDATE testing.slots SET booked = greatest(booked - 1, 0) WHERE id = $1', [b.slot_id]);
      await this.publish(tx, bookingId);
    });
    this.onOutbox();
    return (await this.byId(bookingId)) as Booking;
  }

  /** A person's bookings, newest slot first. */
  async forPerson(personRef: string): Promise<Booking[]> {
    return this.select(this.db, 'b.person_ref = $1', [personRef]);
  }

  private async byId(id: number, q: Queryable = this.db): Promise<Booking | undefined> {
    return (await this.select(q, 'b.id = $1', [id]))[0];
  }

  private async select(q: Queryable, where: string, params: unknown[]): Promise<Booking[]> {
    const r = await q.query<{
      id: number;
      slot_id: number;
      site_id: number;
      name: string;
      starts_at: Date;
      ends_at: Date;
      status: 'booked' | 'cancelled';
    }>(
      `SELECT b.id, b.slot_id, s.site_id, t.name, s.starts_at, s.ends_at, b.status
         FROM testing.bookings b JOIN testing.slots s ON s.id = b.slot_id JOIN testing.sites t ON t.id = s.site_id
        WHERE ${where} ORDER BY s.starts_at DESC, b.id DESC`,
      params,
    );
    return r.rows.map((b) => ({
      id: b.id,
      slotId: b.slot_id,
      siteId: b.site_id,
      siteName: b.name,
      startsAt: b.starts_at.toISOString(),
      endsAt: b.ends_at.toISOString(),
      status: b.status,
    }));
  }

  private async publish(tx: Queryable, bookingId: number): Promise<void> {
    const r = (
      await tx.query<{
        person_ref: string;
        name: string;
        address: string;
        starts_at: Date;
        ends_at: Date;
        status: 'booked' | 'cancelled';
      }>(
        `SELECT b.person_ref, t.name, t.address, s.starts_at, s.ends_at, b.status
           FROM testing.bookings b JOIN testing.slots s ON s.id = b.slot_id JOIN testing.sites t ON t.id = s.site_id WHERE b.id = $1`,
        [bookingId],
      )
    ).rows[0];
    if (!r) return;
    const event: BookingEvent = {
      bookingId,
      personRef: r.person_ref,
      siteName: r.name,
      siteAddress: r.address,
      startsAt: r.starts_at.toISOString(),
      endsAt: r.ends_at.toISOString(),
      status: r.status,
    };
    await addToOutbox(tx, TestingSubjects.booking, event);
  }

  private async siteExists(id: number): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM testing.sites WHERE id = $1', [id])).rows.length > 0;
  }
}
