/**
 * Background work of the places feature (worker role):
 * - on `hc.facts.added`, persons who now have a `case` fact get their check-ins' venue exposures
 *   (everyone who overlapped them becomes a companion); idempotent, so redelivery is harmless;
 * - every `sweepSeconds`, stays started in the last `sweepHours` are matched against all areas,
 *   which covers carrier stays written by the ingestion feeds (late data within the window).
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
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const now = clock.now();
    places.matcher
      .sweep(new Date(now - places.options.sweepHours * 3_600_000), new Date(now + 1))
      .then((r) => r.facts && log.info({ ...r }, 'places sweep matched stays'))
      .catch((err: unknown) => log.error({ err }, 'places sweep failed'))
      .finally(() => (running = false));
  }, places.options.sweepSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await sub.stop();
  };
}
