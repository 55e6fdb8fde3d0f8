/**
 * Stays from pings (source 'carrier'): for each person and UTC day with new pings, the day's pings
 * are condensed again (domain/feeds/stays.ts) and replace that day's carrier stays, so late and
 * out-of-order pings simply rebuild the day. Read by risk-area matching and the itinerary card.
 */
import { condenseStays, type StayOptions } from '../../domain/feeds/stays.ts';
import type { CarrierStay, CarrierStayStore, PingStore } from '../../ports/ping-store.port.ts';

export class StayService {
  private readonly days = new Set<number>();

  constructor(
    private readonly pings: Pick<PingStore, 'pingsOfDay'>,
    private readonly stays: CarrierStayStore,
    private readonly opts: StayOptions = {},
  ) {}

  /** Rebuilds the carrier stays of these persons on these days; returns stays written. */
  async rebuild(
    pingDays: ReadonlyMap<number, ReadonlySet<number>>,
    onProgress?: (persons: number) => void,
    chunk = 2000,
  ): Promise<number> {
    let written = 0;
    let done = 0;
    for (const [day, set] of pingDays) {
      const ids = [...set];
      for (let i = 0; i < ids.length; i += chunk) {
        written += await this.rebuildDay(day, ids.slice(i, i + chunk));
        done += Math.min(chunk, ids.length - i);
        onProgress?.(done);
      }
    }
    return written;
  }

  private async rebuildDay(day: number, ids: number[]): Promise<number> {
    const byPerson = await this.pings.pingsOfDay(day, ids);
    const stays: CarrierStay[] = [];
    for (const [personId, pings] of byPerson) {
      for (const s of condenseStays(pings, this.opts)) {
        stays.push({
          personId,
          startedAt: s.startedAt,
          endedAt: s.endedAt,
          lat: s.lat,
          lon: s.lon,
          accuracyM: s.accuracyM,
          sourceRecordId: `${personId}:${s.startedAt}`,
        });
      }
    }
    if (!this.days.has(day)) {
      await this.stays.ensureDay(day);
      this.days.add(day);
    }
    await this.stays.replaceDay(day, ids, stays);
    return stays.length;
  }
}
