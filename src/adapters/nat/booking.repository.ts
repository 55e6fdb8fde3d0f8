/** Residents' bookings over `testing.bookings` (docs/DESIGN.md §7). */
import type { BookingEvent, PersonRef } from '../../domain/nat/nat.ts';
import type { NatBookingRow, NatBookingStore } from '../../ports/nat.port.ts';
import type { Queryable } from '../db/database.ts';

export class NatBookingRepository implements NatBookingStore {
  constructor(private readonly q: Queryable) {}

  async active(slotId: number, personRef: PersonRef): Promise<number | undefined> {
    const r = await this.q.query<{ id: number }>(
      "SELECT id FROM testing.bookings WHERE slot_id = $1 AND person_ref = $2 AND status = 'booked'",
      [slotId, personRef],
    );
    return r.rows[0]?.id;
  }

  async insert(slotId: number, personRef: PersonRef, at: Date): Promise<number> {
    const r = await this.q.query<{ id: number }>(
      'INSERT INTO testing.bookings (slot_id, person_ref, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id',
      [slotId, personRef, at],
    );
    return (r.rows[0] as { id: number }).id;
  }

  async lockOwn(
    bookingId: number,
    personRef: PersonRef,
  ): Promise<{ slotId: number; status: string } | undefined> {
    const r = await this.q.query<{ slot_id: number; status: string }>(
      'SELECT slot_id, status FROM testing.bookings WHERE id = $1 AND person_ref = $2 FOR UPDATE',
      [bookingId, personRef],
    );
    const b = r.rows[0];
    return b && { slotId: b.slot_id, status: b.status };
  }

  async cancel(bookingId: number, at: Date): Promise<void> {
    await this.q.query("UPDATE testing.bookings SET status = 'cancelled', updated_at = $2 WHERE id = $1", [
      bookingId,
      at,
    ]);
  }

  async byId(id: number): Promise<NatBookingRow | undefined> {
    return (await this.select('b.id = $1', [id]))[0];
  }

  async forPerson(personRef: PersonRef): Promise<NatBookingRow[]> {
    return this.select('b.person_ref = $1', [personRef]);
  }

  async event(bookingId: number): Promise<BookingEvent | undefined> {
    const r = (
      await this.q.query<{
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
    if (!r) return undefined;
    return {
      bookingId,
      personRef: r.person_ref,
      siteName: r.name,
      siteAddress: r.address,
      startsAt: r.starts_at.toISOString(),
      endsAt: r.ends_at.toISOString(),
      status: r.status,
    };
  }

  private async select(where: string, params: unknown[]): Promise<NatBookingRow[]> {
    const r = await this.q.query<{
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
      startsAt: b.starts_at,
      endsAt: b.ends_at,
      status: b.status,
    }));
  }
}
