// The companion process role (时空伴随 worker): pulls (day, tile) jobs from JetStream, runs the
// engine and publishes companions to the key-population feed. Run as many as there are cores or
// machines; the work queue hands each tile to exactly one of them.
import { connect, type NatsConnection } from 'nats';
import {
  ensureCompanionStreams,
  topology,
  streams,
  type CompanionTopology,
  type TileJob,
} from '../adapters/companion/companion-streams.ts';
import { processTileJob } from '../adapters/companion/companion-worker.ts';

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
