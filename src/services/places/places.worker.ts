/**
 * Background work of the places feature (worker role):
 * - on `hc.facts.added`, persons who now have a `case` fact get their check-ins' venue exposures
 *   (everyone who overlapped them becomes a companion); idempotent, so redelivery is harmless;
 * - on `hc.facts.added`, new cases get their co-travellers (same flight, same train or carriage);
 * - on `hc.facts.added`, new cases' positions are met with residents' code-display positions;
 * - on `hc.trips.added`, new trips are matched: risk areas at either end, cases on the same service;
 * - every `sweepSeconds`, stays started in the last `sweepHours` are matched against all areas,
 *   which covers carrier stays written by the ingestion feeds (late data within the window), and
 *   trips received in that window are matched again (a lost event is caught up).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../ports/clock.port.ts';
import { Subjects, type EventBus } from '../../ports/event-bus.port.ts';
import type { FactAddedEvent } from '../fact.service.ts';
import type { Places } from './places.ts';

export interface PlacesWorkerDeps {
  places: Places;
  bus: EventBus;
  clock: Clock;
  log: Pick<Logger, 'info' | 'error'>;
}

/** Starts the places worker; returns its stop function. */
export async function startPlacesWorker(d: PlacesWorkerDeps): Promise<() => Promise<void>> {
  const { places, clock, log } = d;
  const sub = await d.bus.subscribe(Subjects.factAdded, 'places-venue-exposure', async (payload) => {
    const ids = (payload as FactAddedEvent).personIds ?? [];
    if (ids.length) await places.checkins.exposuresForNewFacts(ids);
  });
  // A new case: who travelled with them. Own group, so a failure retries only this part.
  const cases = await d.bus.subscribe(Subjects.factAdded, 'places-co-travellers', async (payload) => {
    const ids = (payload as FactAddedEvent).personIds ?? [];
    if (ids.length) await places.trips.casesArrived(ids);
  });
  const codeCompanions = await d.bus.subscribe(
    Subjects.factAdded,
    'places-code-companions',
    async (payload) => {
      const ids = (payload as FactAddedEvent).personIds ?? [];
      if (ids.length) await places.codeCompanions.casesArrived(ids);
    },
  );
  const trips = await d.bus.subscribe(Subjects.tripsAdded, 'places-trips', async (payload) => {
    const ids = (payload as { personIds?: number[] }).personIds ?? [];
    if (ids.length) {
      await places.trips.tripsArrived(ids);
      await places.cities.tripsArrived(ids);
    }
  });
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const now = clock.now();
    const from = new Date(now - places.options.sweepHours * 3_600_000);
    places.matcher
      .sweep(from, new Date(now + 1))
      .then((r) => r.facts && log.info({ ...r }, 'places sweep matched stays'))
      // Trips received in the window again (an event lost with an embedded bus is caught up).
      .then(() => places.trips.sweep(from, new Date(now + 1), (ids) => places.cities.tripsArrived(ids)))
      .then((r) => r.facts && log.info({ ...r }, 'places sweep matched trips'))
      .then(() => places.cities.sweepStays(from, new Date(now + 1)))
      .then((r) => r.facts && log.info({ ...r }, 'places sweep matched stays in cities with cases'))
      .catch((err: unknown) => log.error({ err }, 'places sweep failed'))
      .finally(() => (running = false));
  }, places.options.sweepSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await sub.stop();
    await cases.stop();
    await codeCompanions.stop();
    await trips.stop();
  };
}
