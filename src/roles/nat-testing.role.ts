/**
 * The `testing` process role (HC_ROLE=testing npm start; the role name is the operators' contract):
 * the nucleic-acid testing service (NAT, 核酸检测: domain/nat, services/nat, adapters/nat,
 * http/routes/nat) with
 * its own HTTP server, its own schema — in its own database when HC_TESTING_DATABASE_URL is set —
 * and its outbox relay. In the embedded `all` role it runs in the same process on its own port
 * (PORT + 1 unless HC_TESTING_PORT says otherwise), still with its own server and schema.
 *
 * Environment: HC_TESTING_DATABASE_URL (default: the platform database), HC_TESTING_PORT,
 * HC_TESTING_RELAY=off (serve the API but do not publish; the outbox keeps everything),
 * HC_TESTING_RELAY_INTERVAL_MS (default 250), HC_TESTING_MAX_BATCH (registrations per commit, 8000).
 */
import { AUDIT_CHECKPOINT_MS } from './audit.feature.ts';
import { createCheckpointSigning } from '../adapters/crypto/checkpoint-signing.ts';
import type { FastifyInstance } from 'fastify';
import { MemoryBus } from '../adapters/bus/memory-bus.ts';
import { openDatabase, type Database } from '../adapters/db/database.ts';
import { ConfigError } from '../config.ts';
import { docLookupInput } from '../domain/lookup-input.ts';
import { Migrator, TESTING_MIGRATIONS } from '../adapters/db/migrate.ts';
import { buildNatServer } from '../http/nat-server.ts';
import { schemaOnStart } from './schema.ts';
import type { AppContext } from './context.ts';
import { ensureTestingDemo, type TestingDemo } from './nat-demo.ts';
import { createNatModule, type NatModule } from './nat.module.ts';

export interface TestingRunning {
  testing: NatModule;
  app: FastifyInstance;
  url?: string;
  /** demo mode: device keys and a site to try the API with */
  demo?: TestingDemo;
  stop(): Promise<void>;
}

export interface TestingRoleOptions {
  listen?: boolean;
  env?: NodeJS.ProcessEnv;
}

function intEnv(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

/** The testing service's own database when HC_TESTING_DATABASE_URL names one (the caller closes it). */
export async function openTestingDatabase(
  env: NodeJS.ProcessEnv = process.env,
): Promise<Database | undefined> {
  const url = env.HC_TESTING_DATABASE_URL || undefined;
  return url ? openDatabase({ databaseUrl: url, poolSize: 8 }) : undefined;
}

/** Starts the testing service on the platform context (auth, trust list and document hash come from it). */
export async function startTestingRole(
  ctx: AppContext,
  opts: TestingRoleOptions = {},
): Promise<TestingRunning> {
  const env = opts.env ?? process.env;
  const own = await openTestingDatabase(env);
  const db = own ?? ctx.db;
  // Like the platform's: migrated on start in demo mode only; production runs `hc migrate`.
  let applied: string[];
  try {
    applied = await schemaOnStart(
      new Migrator(db, TESTING_MIGRATIONS),
      ctx.config.demo ? 'apply' : 'check',
      own ? 'the testing database (HC_TESTING_DATABASE_URL)' : 'the platform database',
    );
  } catch (err) {
    await own?.close();
    throw err;
  }
  if (applied.length) ctx.log.info({ applied }, 'testing migrations applied');
  const log = ctx.log.child({ service: 'testing' });
  const testing = createNatModule(
    {
      db,
      bus: ctx.bus,
      clock: ctx.clock,
      log,
      trustList: () => ctx.keys.trustList(),
      docHash: (docType, number) => ctx.secrets.lookupHash(docLookupInput(docType, number)),
      checkpointSigning: createCheckpointSigning(ctx.db, () => ctx.keys.currentSigner()),
    },
    {
      relay: {
        intervalMs: intEnv(env, 'HC_TESTING_RELAY_INTERVAL_MS', 250),
        // The in-process bus forgets events in flight at a stop; JetStream keeps them.
        replayOnStartMs: ctx.bus instanceof MemoryBus ? 10 * 60_000 : 0,
      },
      maxBatch: intEnv(env, 'HC_TESTING_MAX_BATCH', 8000),
    },
  );
  const serving = (env.HC_TESTING_RELAY ?? 'on') !== 'off';
  if (serving) testing.relay.start();
  // Like the platform's worker: a signed checkpoint of the audit log's head every few minutes when it moved.
  let checkpointing: Promise<unknown> = Promise.resolve();
  const checkpointTimer = serving
    ? setInterval(() => {
        checkpointing = testing.audit
          .checkpoint()
          .catch((err: unknown) => log.error({ err }, 'testing audit checkpoint failed'));
      }, AUDIT_CHECKPOINT_MS)
    : undefined;
  checkpointTimer?.unref();
  const app = await buildNatServer(testing, ctx.auth, log, { maxInFlight: ctx.config.maxInFlight });
  const running: TestingRunning = {
    testing,
    app,
    async stop() {
      clearInterval(checkpointTimer);
      await checkpointing;
      await app.close();
      await testing.relay.stop();
      await own?.close();
    },
  };
  if (ctx.config.demo) running.demo = await ensureTestingDemo(ctx, testing);
  if (opts.listen !== false) {
    const port = intEnv(
      env,
      'HC_TESTING_PORT',
      ctx.config.role === 'testing' ? ctx.config.port : ctx.config.port + 1,
    );
    running.url = await app.listen({ port, host: ctx.config.host });
  }
  return running;
}
