// The distributed way of a platform daily companion run: the day's pings go to the JetStream
// companion streams in tiles, and the companion workers (every HC_ROLE=companion process) take the
// tile jobs and publish the records to feeds.key-population themselves.
import { connect, type JetStreamClient } from 'nats';
import { ArrayIds } from '../../geo/ping-format.ts';
import type { CompanionDayJob, CompanionDayRunner } from '../../ports/companion.port.ts';
import { publishCompanionDay, type FeedOptions } from './companion-feeder.ts';
import { ensureCompanionStreams, topology, type CompanionTopology } from './companion-streams.ts';
import { startCompanionWorker, type CompanionWorkerOptions } from './companion-worker.ts';

export class JetStreamDayRunner implements CompanionDayRunner {
  constructor(
    private readonly js: JetStreamClient,
    private readonly t: CompanionTopology,
    private readonly feed: Omit<FeedOptions, 'asOf' | 'list'> = {},
  ) {}

  async runDay(job: CompanionDayJob): Promise<number> {
    const jobs = await publishCompanionDay(
      this.js,
      this.t,
      job.day,
      { columns: job.columns, ids: new ArrayIds(job.names) },
      job.cases,
      job.params,
      { ...this.feed, asOf: job.asOf, list: job.list },
    );
    return jobs.length;
  }
}

export interface CompanionJetStream {
  runner: JetStreamDayRunner;
  close(): Promise<void>;
}

/**
 * Connects a companion process to JetStream: its streams (created if missing), a day runner that
 * queues tiles, and a tile worker taking jobs from the shared work queue.
 */
export async function connectCompanionJetStream(
  natsUrl: string,
  o: Partial<CompanionTopology> = {},
  worker: Pick<CompanionWorkerOptions, 'onJob' | 'onError'> = {},
): Promise<CompanionJetStream> {
  const t = topology(o);
  const nc = await connect({ servers: natsUrl, name: 'health-code-companion' });
  await ensureCompanionStreams(await nc.jetstreamManager(), t);
  const w = await startCompanionWorker({ natsUrl, topology: t, ...worker });
  return {
    runner: new JetStreamDayRunner(nc.jetstream(), t),
    async close() {
      await w.stop();
      await nc.drain();
    },
  };
}
