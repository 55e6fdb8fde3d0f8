/**
 * Residents' bookings (预约) of a testing site's slots. Every booking change goes through the
 * outbox so the code service can show "my bookings" without ever calling this service; every
 * change leaves an audit entry in the same transaction.
 */
import { TestingSubjects, type PersonRef } from '../../domain/nat/nat.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { NatBookingRow, NatStores, NatUnitOfWork } from '../../ports/nat.port.ts';
import { AppError } from '../app-error.ts';

export interface Booking {
  id: number;
  slotId: number;
  siteId: number;
  siteName: string;
  startsAt: string;
  endsAt: string;
  status: 'booked' | 'cancelled';
}

const toBooking = (b: NatBookingRow): Booking => ({
  ...b,
  startsAt: b.startsAt.toISOString(),
  endsAt: b.endsAt.toISOString(),
});

/** The resident a person reference of the form "p:<id>" names, as an audit actor. */
const actorOf = (personRef: PersonRef) =>
  personRef.startsWith('p:') ? `resident:${personRef.slice(2)}` : personRef;

export class BookingService {
  constructor(
    private readonly uow: NatUnitOfWork,
    private readonly stores: NatStores,
    private readonly clock: Clock,
    /** called after a commit that wrote to the outbox */
    private readonly onOutbox: () => void = () => undefined,
  ) {}

  /** Books a slot for a person; booking the same slot twice returns the first booking. */
  async book(personRef: PersonRef, slotId: number): Promise<Booking> {
    const out = await this.uow.run(async (s) => {
      const existing = await s.bookings.active(slotId, personRef);
      if (existing !== undefined) return { id: existing, changed: false };
      const slot = await s.sites.lockSlot(slotId);
      if (!slot) throw new AppError('SLOT_UNKNOWN', 404, `no slot ${slotId}`);
      const now = this.clock.now();
      if (slot.endsAt.getTime() <= now)
        throw new AppError('SLOT_PAST', 409, 'this slot is over; choose a later one');
      if (slot.booked >= slot.capacity)
        throw new AppError('SLOT_FULL', 409, 'this slot is fully booked; choose another');
      await s.sites.addBooked(slotId, 1);
      const id = await s.bookings.insert(slotId, personRef, new Date(now));
      await this.publish(s, id);
      await s.audit.append([
        {
          at: new Date(now),
          actor: actorOf(personRef),
          action: 'nat.booking.book',
          regionCode: null,
          detail: { bookingId: id, slotId },
        },
      ]);
      return { id, changed: true };
    });
    if (out.changed) this.onOutbox();
    return toBooking((await this.stores.bookings.byId(out.id)) as NatBookingRow);
  }

  /** Cancels the person's booking and frees its place. */
  async cancel(personRef: PersonRef, bookingId: number): Promise<Booking> {
    await this.uow.run(async (s) => {
      const b = await s.bookings.lockOwn(bookingId, personRef);
      if (!b) throw new AppError('BOOKING_UNKNOWN', 404, `no booking ${bookingId} of yours`);
      if (b.status === 'cancelled') return;
      const now = new Date(this.clock.now());
      await s.bookings.cancel(bookingId, now);
      await s.sites.addBooked(b.slotId, -1);
      await this.publish(s, bookingId);
      await s.audit.append([
        {
          at: now,
          actor: actorOf(personRef),
          action: 'nat.booking.cancel',
          regionCode: null,
          detail: { bookingId, slotId: b.slotId },
        },
      ]);
    });
    this.onOutbox();
    return toBooking((await this.stores.bookings.byId(bookingId)) as NatBookingRow);
  }

  /** A person's bookings, newest slot first. */
  async forPerson(personRef: PersonRef): Promise<Booking[]> {
    return (await this.stores.bookings.forPerson(personRef)).map(toBooking);
  }

  private async publish(s: NatStores, bookingId: number): Promise<void> {
    const event = await s.bookings.event(bookingId);
    if (event) await s.outbox.add(TestingSubjects.booking, event);
  }
}
