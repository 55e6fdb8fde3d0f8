// The distributed way of a platform daily companion run: the day's pings go to the JetStream
// companion streams in tiles, and the companion workers (every HC_ROLE=companion process) take the
// tile jobs and publish the records to feeds.key-population themselves.
import type { JetStreamClient } from 'nats';
import { ArrayIds } from '../../geo/ping-format.ts';
import type { CompanionDayJob, CompanionDayRunner } from '../../ports/companion.port.ts';
import { publishCompanionDay, type FeedOptions } from './companion-feeder.ts';
import type { CompanionTopology } from './companion-streams.ts';

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
