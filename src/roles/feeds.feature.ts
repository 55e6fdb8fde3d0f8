/**
 * Composition of the feeds (docs/DESIGN.md §5): the ingest service over the feed, ping and stay
 * stores, the response tasks, the routes, and the worker's background work — a consumer per feed on
 * its event stream (`feeds.<feed>`: NATS JetStream when NATS_URL is set, else the in-process bus),
 * the daily retention job, and — when another process may write facts but no shared bus tells us
 * (PostgreSQL without NATS) — a watch on new fact ids so this process's hot statuses follow
 * `hc import`.
 */
import { CarrierStayRepository } from '../adapters/feeds/carrier-stay.repository.ts';
import { FeedRepository } from '../adapters/feeds/feed.repository.ts';
import { feedStreamOptions, NatsFeedStream } from '../adapters/feeds/nats-feed-stream.ts';
import { PingRepository } from '../adapters/feeds/ping.repository.ts';
import { RetentionRepository } from '../adapters/feeds/retention.repository.ts';
import type { RouteModule } from '../http/app.ts';
import { feedRoutes } from '../http/routes/feeds.routes.ts';
import { consumeFeeds } from '../services/feeds/feeds.worker.ts';
import { IngestService, type IngestOptions } from '../services/feeds/ingest.service.ts';
import { ResponseTaskService } from '../services/feeds/response-task.service.ts';
import { runRetention, type RetentionReport } from '../services/feeds/retention.service.ts';
import type { AppContext } from './context.ts';

const DAY_MS = 86400_000;

type IngestContext = Pick<
  AppContext,
  'db' | 'uow' | 'residents' | 'facts' | 'statuses' | 'clock' | 'config' | 'log' | 'secrets' | 'bus'
>;

/** The ingest service over the context's database. */
export function createIngestService(ctx: IngestContext, opts: IngestOptions): IngestService {
  return new IngestService(
    {
      uow: ctx.uow,
      lookup: new FeedRepository(ctx.db),
      pings: new PingRepository(ctx.db),
      carrierStays: new CarrierStayRepository(ctx.db),
      residents: ctx.residents,
      facts: ctx.facts,
      statuses: ctx.statuses,
      bus: ctx.bus,
      clock: ctx.clock,
      log: ctx.log,
      lookupHashKey: ctx.secrets.lookupHashKey,
      retentionDays: ctx.config.retentionDays,
    },
    opts,
  );
}

/** Community response tasks over the context's database. */
export function createResponseTaskService(
  ctx: Pick<AppContext, 'db' | 'audit' | 'clock' | 'uow'>,
): ResponseTaskService {
  return new ResponseTaskService(new FeedRepository(ctx.db), ctx.audit, ctx.clock, ctx.uow);
}

/** One retention run (`hc retention run`, the worker's daily job); hot statuses of persons who lose facts are dropped. */
export function retention(
  ctx: Pick<AppContext, 'db' | 'clock' | 'config' | 'cache'>,
  o: { dryRun?: boolean } = {},
): Promise<RetentionReport> {
  return runRetention(new RetentionRepository(ctx.db), ctx.clock, ctx.config.retentionDays, {
    ...o,
    cache: ctx.cache,
  });
}

/** The feeds' routes (single records, batches, response tasks, declarations), as a route module. */
export const feedRouteModule: RouteModule = (app, ctx) =>
  feedRoutes(app, ctx, {
    ingest: createIngestService(ctx, { followUp: 'announce', staysPerBatch: true }),
    tasks: createResponseTaskService(ctx),
  });

/** Starts the feed consumers, retention and (PostgreSQL without NATS) the fact watch. */
export async function startFeedsWorker(ctx: AppContext): Promise<() => Promise<void>> {
  const ingest = createIngestService(ctx, { followUp: 'announce', staysPerBatch: true });
  const nats = ctx.config.natsUrl
    ? await NatsFeedStream.connect(feedStreamOptions(ctx.config.natsUrl, ctx.config.natsPrefix))
    : undefined;
  const subs = await consumeFeeds(nats ?? ctx.bus, ingest, ctx.log);
  const run = () =>
    retention(ctx)
      .then((r) => ctx.log.info(r, 'retention run'))
      .catch((err: unknown) => ctx.log.error({ err }, 'retention failed'));
  const first = setTimeout(() => void run(), 60_000);
  const daily = setInterval(() => void run(), DAY_MS);
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
export async function watchFacts(
  ctx: Pick<AppContext, 'db' | 'statuses' | 'log'>,
  everyMs = 500,
): Promise<() => Promise<void>> {
  const facts = new FeedRepository(ctx.db);
  let after = await facts.latestFactId();
  let running: Promise<void> | undefined;
  const tick = async () => {
    const r = await facts.factPersonsAfter(after, 20000);
    if (r.lastId === undefined) return;
    after = r.lastId;
    const ids = r.personIds;
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
