// JetStream layout of the distributed companion engine (docs/DESIGN.md §12: partition by day and coarse
// tile, broadcast the small case index to every worker). Subjects and stream names take prefixes
// so that tests and several deployments can share one NATS server.
import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from 'nats';

export interface CompanionTopology {
  /** Prepended to every subject, e.g. "" in production or "t123." in a test. */
  subjectPrefix: string;
  /** Prepended to every stream name. */
  streamPrefix: string;
  /** Subject of the province platform's key-population feed. */
  feedSubject: string;
  /** Durable work-queue consumer shared by all workers. */
  durable: string;
}

export function topology(o: Partial<CompanionTopology> = {}): CompanionTopology {
  const subjectPrefix = o.subjectPrefix ?? '';
  return {
    subjectPrefix,
    streamPrefix: o.streamPrefix ?? '',
    feedSubject: o.feedSubject ?? `${subjectPrefix}feeds.key-population`,
    durable: o.durable ?? 'companion-workers',
  };
}

export const subjects = {
  pings: (t: CompanionTopology, day: string, tile: string): string =>
    `${t.subjectPrefix}companion.pings.${day}.${tile}`,
  cases: (t: CompanionTopology, day: string): string => `${t.subjectPrefix}companion.cases.${day}`,
  jobs: (t: CompanionTopology, day: string): string => `${t.subjectPrefix}companion.jobs.${day}`,
};

export const streams = {
  pings: (t: CompanionTopology): string => `${t.streamPrefix}COMPANION_PINGS`,
  cases: (t: CompanionTopology): string => `${t.streamPrefix}COMPANION_CASES`,
  jobs: (t: CompanionTopology): string => `${t.streamPrefix}COMPANION_JOBS`,
  feed: (t: CompanionTopology): string => `${t.streamPrefix}KEY_POPULATION_FEED`,
};

async function ensureStream(
  jsm: JetStreamManager,
  cfg: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await jsm.streams.info(cfg.name);
  } catch {
    await jsm.streams.add(cfg);
  }
}

/**
 * Creates the streams and the work-queue consumer if missing. The feed stream is only created when
 * no stream already captures the feed subject (the province platform normally owns it).
 */
export async function ensureCompanionStreams(
  jsm: JetStreamManager,
  t: CompanionTopology,
  storage = StorageType.File,
): Promise<void> {
  const p = t.subjectPrefix;
  await ensureStream(jsm, {
    name: streams.pings(t),
    subjects: [`${p}companion.pings.>`],
    storage,
    max_age: 3 * 86400e9,
  });
  await ensureStream(jsm, {
    name: streams.cases(t),
    subjects: [`${p}companion.cases.>`],
    storage,
    max_msgs_per_subject: 1,
  });
  await ensureStream(jsm, {
    name: streams.jobs(t),
    subjects: [`${p}companion.jobs.>`],
    storage,
    retention: RetentionPolicy.Workqueue,
  });
  const owner = await jsm.streams.find(t.feedSubject).catch(() => '');
  if (!owner)
    await ensureStream(jsm, {
      name: streams.feed(t),
      subjects: [t.feedSubject],
      storage,
      duplicate_window: 86400e9,
    });
  try {
    await jsm.consumers.info(streams.jobs(t), t.durable);
  } catch {
    await jsm.consumers.add(streams.jobs(t), {
      durable_name: t.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 120e9,
      max_deliver: 5,
    });
  }
}

/** Removes the streams (tests). */
export async function deleteCompanionStreams(jsm: JetStreamManager, t: CompanionTopology): Promise<void> {
  for (const name of [streams.pings(t), streams.cases(t), streams.jobs(t), streams.feed(t)]) {
    await jsm.streams.delete(name).catch(() => false);
  }
}

/** A job: one (day, tile), with the stream sequences of its batches and of the case broadcast. */
export interface TileJob {
  day: string;
  tile: string;
  batchSeqs: number[];
  casesSeq: number;
  pings: number;
}

/** Headers of a day's case broadcast: resolved parameters, case names, as-of time, list name. */
export const CASE_HEADERS = {
  params: 'Hc-Params',
  cases: 'Hc-Cases',
  asOf: 'Hc-As-Of',
  list: 'Hc-List',
} as const;

export {
  COMPANION_LIST,
  feedRecord,
  splitName,
  type CompanionFeedRecord,
} from '../../geo/companion-record.ts';
