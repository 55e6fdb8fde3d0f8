/**
 * The feeds' background work in the worker role: a consumer per feed on its event stream
 * (`feeds.<feed>`: NATS JetStream when NATS_URL is set, else the in-process bus), the daily
 * retention job, and — when another process may write facts but no shared bus tells us (PostgreSQL
 * without NATS) — a watch on new fact ids so this process's hot statuses follow `hc import`.
 */
import { NatsFeedStream } from '../../adapters/feeds/nats-feed-stream.ts';
import type { RawRecord } from '../../domain/feeds/record.ts';
import type { EventBus, Subscription } from '../../ports/event-bus.port.ts';
import type { AppContext } from '../../roles/context.ts';
import { FEED_NAMES, type FeedName } from './feed-types.ts';
import { IngestService } from './ingest.service.ts';
import { runRetention } from './retention.service.ts';

const DAY_MS = 86400_000;

/** Subscribes one consumer group per feed; returns the subscriptions. */
export async function consumeFeeds(
  stream: EventBus,
  ingest: IngestService,
  log: AppContext['log'],
  feeds: readonly FeedName[] = FEED_NAMES,
): Promise<Subscription[]> {
  const subs: Subscription[] = [];
  for (const feed of feeds) {
    subs.push(
      await stream.subscribe(`feeds.${feed}`, `feeds-${feed}`, async (payload) => {
        // A message is one record or an array of records; bad records are set aside, not retried.
        const records = (Array.isArray(payload) ? payload : [payload]).filter(
          (r): r is RawRecord => typeof r === 'object' && r !== null,
        );
        const errors = [];
        for (const rec of records) {
          const r = await ingest.ingestRecord(feed, rec);
          errors.push(...r.errors.map((e) => ({ ...e, record: rec })));
        }
        if (errors.length) {
          log.warn({ feed, rejected: errors.length, first: errors[0] }, 'feed records rejected');
          await stream.publish(`feeds.rejected.${feed}`, { feed, errors }).catch(() => undefined);
        }
      }),
    );
  }
  return subs;
}

/** Starts the feed consumers, retention and (PostgreSQL without NATS) the fact watch. */
export async function startFeedsWorker(ctx: AppContext): Promise<() => Promise<void>> {
  const ingest = new IngestService(ctx, { followUp: 'announce', staysPerBatch: true });
  const nats = ctx.config.natsUrl ? await NatsFeedStream.connect({ url: ctx.config.natsUrl }) : undefined;
  const subs = await consumeFeeds(nats ?? ctx.bus, ingest, ctx.log);
  const retention = () =>
    runRetention(ctx.db, ctx.clock, ctx.config.retentionDays, { cache: ctx.cache })
      .then((r) => ctx.log.info(r, 'retention run'))
      .catch((err: unknown) => ctx.log.error({ err }, 'retention failed'));
  const first = setTimeout(() => void retention(), 60_000);
  const daily = setInterval(() => void retention(), DAY_MS);
  first.unref();
  daily.unref();
  const stopWatch =
    !ctx.config.natsUrl && ctx.db.kind === 'postgres' ? await watchFacts(ctx) : async () => undefined;
  return async () => {
    clearTimeout(first);
    clearInterval(daily);
    await stopWatch();
    for (const s of subs) await s.stop();
    await nats?.close();
  };
}

/**
 * Follows the facts table by id: persons with facts written by another process (an `hc import`
 * next to a server without NATS) are recomputed here so this process's cache shows their colour.
 */
export async function watchFacts(ctx: AppContext, everyMs = 500): Promise<() => Promise<void>> {
  let after = (await ctx.db.query<{ m: number | null }>('SELECT max(id) AS m FROM facts')).rows[0]?.m ?? 0;
  let running: Promise<void> | undefined;
  const tick = async () => {
    const r = await ctx.db.query<{ id: number; person_id: number }>(
      'SELECT id, person_id FROM facts WHERE id > $1 ORDER BY id LIMIT 20000',
      [after],
    );
    if (r.rows.length === 0) return;
    after = (r.rows[r.rows.length - 1] as { id: number }).id;
    const ids = [...new Set(r.rows.map((x) => x.person_id))];
    for (let i = 0; i < ids.length; i += 2000) await ctx.statuses.recompute(ids.slice(i, i + 2000));
  };
  const timer = setInterval(() => {
    running ??= tick()
      .catch((err: unknown) => ctx.log.error({ err }, 'fact watch failed'))
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
