/**
 * The companion process role (HC_ROLE=companion; also part of `all`): the platform's companion
 * runs (docs/COMPANIONS.md "Platform runs") — a daily run over the previous day's pings at
 * HC_COMPANION_HOUR (UTC+8) and an on-demand run for each new case (fact events) — and, on NATS,
 * the JetStream tile workers that share a day's work: run as many as there are cores or
 * machines; the work queue hands each tile to exactly one of them. Records go to
 * `feeds.key-population`, where the worker role's feed consumer takes them like a carrier's.
 */
import { feedStreamOptions, NatsFeedStream } from '../adapters/feeds/nats-feed-stream.ts';
import { connectCompanionJetStream } from '../adapters/companion/jetstream-day-runner.ts';
import type { CompanionTopology } from '../adapters/companion/companion-streams.ts';
import type { CompanionDayRunner } from '../ports/companion.port.ts';
import { CompanionRepository } from '../adapters/repositories/companion.repository.ts';
import { ConfigError } from '../config.ts';
import { Subjects, type EventBus, type Subscription } from '../ports/event-bus.port.ts';
import type { FactAddedEvent } from '../services/fact.service.ts';
import { CompanionService, type RunResult } from '../services/companion/companion.service.ts';
import type { AppContext } from './context.ts';
import { natsNames } from '../adapters/bus/nats-names.ts';

export interface CompanionRunning {
  service: CompanionService;
  /** how this process runs days: "tile workers on NATS JetStream" or "in process" */
  mode: 'jetstream' | 'in-process';
  stop(): Promise<void>;
}

export interface CompanionRoleOptions {
  /** the key-population feed to publish to (default: NATS feed stream, else the context's bus) */
  feed?: EventBus;
  /** JetStream subjects and streams (tests use their own prefix) */
  topology?: Partial<CompanionTopology>;
  /** run the scheduler's timer (default true) */
  schedule?: boolean;
  /** called after each scheduled day run or case run (tests, logs) */
  onRun?: (r: RunResult | { cases: number }) => void;
}

/** The platform's companion service on this context (the CLI and the role build it the same way). */
export function companionService(
  ctx: AppContext,
  feed: EventBus,
  runner?: CompanionDayRunner,
): CompanionService {
  const c = ctx.config.companion;
  return new CompanionService(
    new CompanionRepository(ctx.db, ctx.secrets),
    feed,
    ctx.clock,
    {
      hour: c.hour,
      radiusM: c.radiusM,
      gapS: c.gapS,
      minSeconds: c.minSeconds,
      caseDaysBefore: c.caseDaysBefore,
    },
    runner,
  );
}

/**
 * Starts the companion role: tile workers (NATS), the day scheduler and the case subscription.
 * Outside `all` it needs NATS: its records must reach the worker role's feed consumer.
 */
export async function startCompanionRole(
  ctx: AppContext,
  o: CompanionRoleOptions = {},
): Promise<CompanionRunning> {
  const natsUrl = ctx.config.natsUrl;
  if (!natsUrl && !o.feed && ctx.config.role !== 'all')
    throw new ConfigError(
      'HC_ROLE=companion needs NATS_URL: it publishes to feeds.key-population and shares tile jobs on JetStream',
    );
  const log = ctx.log.child({ feature: 'companion' });
  const stops: Array<() => Promise<void>> = [];
  let feed = o.feed;
  if (!feed && natsUrl) {
    const stream = await NatsFeedStream.connect(feedStreamOptions(natsUrl, ctx.config.natsPrefix));
    stops.push(() => stream.close());
    feed = stream;
  }
  feed ??= ctx.bus;
  let runner: CompanionDayRunner | undefined;
  if (natsUrl) {
    // the feed stream exists by now (NatsFeedStream above or the caller's): not created twice
    const js = await connectCompanionJetStream(natsUrl, o.topology ?? natsNames(ctx.config.natsPrefix), {
      onJob: (job, n) => log.info({ day: job.day, tile: job.tile, records: n }, 'companion tile done'),
      onError: (err) => log.warn({ err }, 'companion tile failed; it will be retried'),
    });
    runner = js.runner;
    stops.push(() => js.close());
  }
  const service = companionService(ctx, feed, runner);
  const sub: Subscription = await ctx.bus.subscribe(Subjects.factAdded, 'companion', async (payload) => {
    const ran = await service.onFactsAdded((payload as FactAddedEvent).personIds ?? []);
    if (ran) {
      log.info({ cases: ran }, 'companion runs for new cases done');
      o.onRun?.({ cases: ran });
    }
  });
  stops.unshift(() => sub.stop());
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  if (o.schedule !== false) {
    timer = setInterval(() => {
      ticking ??= service
        .tick()
        .then((runs) => {
          for (const r of runs) {
            log.info(r, 'companion day run');
            o.onRun?.(r);
          }
        })
        .catch((err: unknown) => log.error({ err }, 'companion day run failed'))
        .finally(() => (ticking = undefined));
    }, ctx.config.companion.tickMs);
    timer.unref();
  }
  return {
    service,
    mode: runner ? 'jetstream' : 'in-process',
    async stop() {
      if (timer) clearInterval(timer);
      await ticking;
      for (const s of stops) await s();
    },
  };
}
