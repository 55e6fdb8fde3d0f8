/**
 * Background work of the places feature (worker role):
 * - on `hc.facts.added`, persons who now have a `case` fact get their check-ins' venue exposures
 *   (everyone who overlapped them becomes a companion); idempotent, so redelivery is harmless;
 * - every `sweepSeconds`, stays started in the last `sweepHours` are matched against all areas,
 *   which covers carrier stays written by the ingestion feeds (late data within the window).
 */
import type { AppContext } from '../../roles/context.ts';
import { Subjects } from '../../ports/event-bus.port.ts';
import type { FactAddedEvent } from '../fact.service.ts';
import { loadPlacesSettings } from './places.ts';

/** Starts the places worker; returns its stop function. */
export async function startPlacesWorker(ctx: AppContext): Promise<() => Promise<void>> {
  const places = await loadPlacesSettings(ctx);
  const sub = await ctx.bus.subscribe(Subjects.factAdded, 'places-venue-exposure', async (payload) => {
    const ids = (payload as FactAddedEvent).personIds ?? [];
    if (ids.length === 0) return;
    const since = new Date(ctx.clock.now() - places.options.lookbackDays * 86_400_000);
    // Only persons with a case fact and a check-in in the window need any work.
    const r = await ctx.db.query<{ person_id: number }>(
      `SELECT DISTINCT f.person_id FROM facts f JOIN checkins c ON c.person_id = f.person_id AND c.at >= $2
        WHERE f.person_id = ANY($1::bigint[]) AND f.type = 'case'`,
      [ids, since],
    );
    for (const row of r.rows) await places.checkins.exposuresForCase(row.person_id);
  });
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const now = ctx.clock.now();
    places.matcher
      .sweep(new Date(now - places.options.sweepHours * 3_600_000), new Date(now + 1))
      .then((r) => r.facts && ctx.log.info({ ...r }, 'places sweep matched stays'))
      .catch((err: unknown) => ctx.log.error({ err }, 'places sweep failed'))
      .finally(() => (running = false));
  }, places.options.sweepSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await sub.stop();
  };
}
