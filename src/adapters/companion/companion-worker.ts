// Worker side of worker mode: takes a (day, tile) job from the shared work queue, reads the tile's
// ping batches and the day's case broadcast, runs the pure engine and publishes each companion as
// a key-population record (deduplicated by its sourceId, so a redelivered job is harmless).
import {
  connect,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  type StoredMsg,
} from 'nats';
import { buildCaseIndex } from '../../geo/case-index.ts';
import { findCompanionsInRange } from '../../geo/companion-engine.ts';
import { viewPingImage } from '../../geo/ping-format.ts';
import type { PingColumns, ResolvedParams } from '../../geo/companion-types.ts';
import {
  CASE_HEADERS,
  ensureCompanionStreams,
  feedRecord,
  streams,
  topology,
  type CompanionTopology,
  type TileJob,
} from './companion-streams.ts';

/** Concatenates HCPINGS1 images into columns over one id space (`idOf`, extended in place). */
function mergeImages(
  images: Uint8Array[],
  idOf: Map<string, number>,
  names: string[],
): Omit<PingColumns, 'personCount'> {
  const views = images.map((b) => viewPingImage(b));
  const n = views.reduce((s, v) => s + v.layout.n, 0);
  const out = {
    person: new Uint32Array(n),
    ts: new Uint32Array(n),
    lat: new Float64Array(n),
    lon: new Float64Array(n),
  };
  let o = 0;
  for (const v of views) {
    const local = new Uint32Array(v.ids.count);
    for (let i = 0; i < v.ids.count; i++) {
      const name = v.ids.get(i);
      let id = idOf.get(name);
      if (id === undefined) {
        id = names.length;
        idOf.set(name, id);
        names.push(name);
      }
      local[i] = id;
    }
    for (let k = 0; k < v.layout.n; k++) out.person[o + k] = local[v.person[k]!]!;
    out.ts.set(v.ts, o);
    out.lat.set(v.lat, o);
    out.lon.set(v.lon, o);
    o += v.layout.n;
  }
  return out;
}

const bytes = (m: StoredMsg): Uint8Array => m.data;

/** Runs one tile job; returns the number of companion records published. */
export async function processTileJob(
  js: JetStreamClient,
  jsm: JetStreamManager,
  t: CompanionTopology,
  job: TileJob,
): Promise<number> {
  const casesMsg = await jsm.streams.getMessage(streams.cases(t), { seq: job.casesSeq });
  const params = JSON.parse(casesMsg.header.get(CASE_HEADERS.params)) as ResolvedParams;
  const caseNames = JSON.parse(casesMsg.header.get(CASE_HEADERS.cases)) as string[];
  const asOfText = casesMsg.header.get(CASE_HEADERS.asOf);
  const asOf = asOfText ? Number(asOfText) : undefined;
  const list = casesMsg.header.get(CASE_HEADERS.list) || undefined;
  const idOf = new Map<string, number>();
  const names: string[] = [];
  for (const c of caseNames) {
    if (!idOf.has(c)) {
      idOf.set(c, names.length);
      names.push(c);
    }
  }
  const caseCols = mergeImages([bytes(casesMsg)], idOf, names);
  const batches: Uint8Array[] = [];
  for (const seq of job.batchSeqs)
    batches.push(bytes(await jsm.streams.getMessage(streams.pings(t), { seq })));
  const tileCols = mergeImages(batches, idOf, names);
  const personCount = names.length;
  const index = buildCaseIndex(
    { ...caseCols, personCount },
    caseNames.map((c) => idOf.get(c)!),
    params,
  );
  const pairs = findCompanionsInRange({ ...tileCols, personCount }, index, 0, personCount);
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < pairs.count; i++) {
    const r = feedRecord(
      job.day,
      names[pairs.person[i]!]!,
      names[pairs.caseId[i]!]!,
      pairs.seconds[i]!,
      pairs.firstTs[i]!,
      pairs.lastTs[i]!,
      asOf,
      list,
    );
    if (!r) continue;
    pending.push(js.publish(t.feedSubject, JSON.stringify(r), { msgID: r.sourceId }));
    if (pending.length >= 512) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return pairs.count;
}

export interface CompanionWorkerOptions {
  /** NATS server, default NATS_URL or nats://127.0.0.1:4222. */
  natsUrl?: string;
  topology?: Partial<CompanionTopology>;
  /** Called after each job with the number of records published. */
  onJob?: (job: TileJob, records: number) => void;
  onError?: (err: unknown) => void;
}

export interface CompanionWorker {
  /** Jobs completed so far. */
  readonly jobs: number;
  /** Stops pulling, finishes the current job and closes the connection. */
  stop(): Promise<void>;
}

/** Starts a companion worker; resolves once it is connected and pulling. */
export async function startCompanionWorker(opts: CompanionWorkerOptions = {}): Promise<CompanionWorker> {
  const nc: NatsConnection = await connect({
    servers: opts.natsUrl ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  });
  const t = topology(opts.topology);
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  await ensureCompanionStreams(jsm, t);
  const consumer = await js.consumers.get(streams.jobs(t), t.durable);
  let running = true;
  let jobs = 0;
  const loop = (async () => {
    while (running) {
      const m = await consumer.next({ expires: 1000 }).catch((e: unknown) => (opts.onError?.(e), null));
      if (!m) continue;
      try {
        const job = JSON.parse(new TextDecoder().decode(m.data)) as TileJob;
        const keepAlive = setInterval(() => m.working(), 20_000);
        try {
          const n = await processTileJob(js, jsm, t, job);
          await m.ackAck();
          jobs++;
          opts.onJob?.(job, n);
        } finally {
          clearInterval(keepAlive);
        }
      } catch (e) {
        m.nak(5_000);
        opts.onError?.(e);
      }
    }
  })();
  return {
    get jobs() {
      return jobs;
    },
    async stop() {
      running = false;
      await loop;
      await nc.drain();
    },
  };
}
