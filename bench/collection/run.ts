/**
 * bench/collection: sample-collection registrations per second, durable, on PostgreSQL.
 *   node --import tsx bench/collection/run.ts [--seconds 60] [--devices 16] [--batch 500] [--doc-share 0.2] [--code-share 0] [--out collection]
 * Starts the testing service as its own process (HC_ROLE=testing) on a fresh code database and a
 * fresh testing database, drives POST /testing/v1/collections with batching devices, then checks
 * that every acknowledged registration is in testing.collections (count and checksum).
 * Writes bench/results/collection.md and .json.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/roles/context.ts';
import { openDatabase } from '../../src/adapters/db/database.ts';
import { migrate, TESTING_MIGRATIONS } from '../../src/adapters/db/migrate.ts';
import { runLoad } from './load.ts';
import { finishProvenance, provenanceMarkdown, startProvenance, type Provenance } from '../lib/provenance.ts';
import { personInput } from '../../test/factories.ts';
import { helpIfAsked } from '../lib/usage.ts';

helpIfAsked(`基准：采样登记 Sample-collection registrations per second, durable, on PostgreSQL (writes bench/results/<out>.{json,md}).
Usage: node --import tsx bench/collection/run.ts [--seconds 60] [--devices 16] [--batch 500] [--doc-share 0.2] [--code-share 0] [--port 18091] [--out collection]`);

const PROVENANCE = startProvenance();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 60);
const DEVICES = arg('devices', 16);
const BATCH = arg('batch', 500);
const DOC_SHARE = arg('doc-share', 0.2);
const CODE_SHARE = arg('code-share', 0);
const OUT = process.argv.includes('--out')
  ? String(process.argv[process.argv.indexOf('--out') + 1])
  : 'collection';
const PORT = arg('port', 18091);
const ADMIN_URL = process.env.HC_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query(sql);
  await c.end();
}

async function main(): Promise<void> {
  const tag = crypto.randomBytes(3).toString('hex');
  const codeDb = `hc_bench_code_${tag}`;
  const testDb = `hc_bench_testing_${tag}`;
  await admin(`CREATE DATABASE ${codeDb}`);
  await admin(`CREATE DATABASE ${testDb}`);
  const codeUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${codeDb}`);
  const testUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${testDb}`);
  const masterKey = crypto.randomBytes(32).toString('hex');
  const env = {
    ...process.env,
    DATABASE_URL: codeUrl,
    HC_MASTER_KEY: masterKey,
    HC_DEMO: 'false',
    LOG_LEVEL: 'warn',
  };
  const ctx = await createContext(loadConfig(env), { log: pino({ level: 'warn' }), schema: 'apply' });
  await ctx.keys.ensureKey();
  const keys: string[] = [];
  for (let i = 0; i < DEVICES; i++)
    keys.push((await ctx.auth.addDevice(`bench collector ${i}`, 'tester')).apiKey);
  const docRef = (t: number, n: string) =>
    `d:${t}:${ctx.secrets.lookupHash(`doc:${t}:${n}`).toString('hex')}`;
  // Real residents' real codes, for the share of scans the service verifies itself.
  const codes: Array<{ token: string; subject: string; scannedAt: number }> = [];
  for (let i = 0; CODE_SHARE > 0 && i < 500; i++) {
    const r = await ctx.residents.register(personInput());
    if (!r.ok) continue;
    const c = await ctx.codes.issue(r.id, 's');
    const subject = (await ctx.repos.persons.byId(r.id))?.code_subject as string;
    codes.push({ token: c.token, subject, scannedAt: Date.parse(c.issuedAt) + 1000 });
  }

  // the testing service's own database, migrated as `hc migrate` does before a production start
  const testingDb = await openDatabase({ databaseUrl: testUrl });
  await migrate(testingDb, TESTING_MIGRATIONS);
  await testingDb.close();
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...env,
      HC_ROLE: 'testing',
      HC_TESTING_DATABASE_URL: testUrl,
      HC_TESTING_PORT: String(PORT),
      NATS_URL: '',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${PORT}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/testing/v1/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 300) throw new Error('testing service did not start');
    await new Promise((r) => setTimeout(r, 200));
  }

  process.stdout.write(
    `driving ${url} for ${SECONDS} s: ${DEVICES} devices × batches of ${BATCH} (${Math.round(DOC_SHARE * 100)} % documents, ${Math.round(CODE_SHARE * 100)} % codes verified by the service)\n`,
  );
  const load = await runLoad({
    url,
    apiKeys: keys,
    seconds: SECONDS,
    batch: BATCH,
    docShare: DOC_SHARE,
    docRef,
    codeShare: CODE_SHARE,
    codes,
  });

  // Verification: every acknowledged registration is stored; count and checksum over the table.
  const tdb = new pg.Client({ connectionString: testUrl });
  await tdb.connect();
  const stored = (
    await tdb.query<{ n: number; md5: string }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(tube || '|' || person_ref, ',' ORDER BY (tube || '|' || person_ref) COLLATE "C"), '')) AS md5 FROM testing.collections`,
    )
  ).rows[0] as { n: number; md5: string };
  const commits =
    (await tdb.query<{ n: number }>('SELECT count(DISTINCT committed_at)::int AS n FROM testing.collections'))
      .rows[0]?.n ?? 0;
  await tdb.end();
  const sorted = [...new Set(load.acked)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ackedMd5 = crypto.createHash('md5').update(sorted.join(',')).digest('hex');

  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await ctx.close();
  await admin(`DROP DATABASE IF EXISTS ${codeDb} WITH (FORCE)`);
  await admin(`DROP DATABASE IF EXISTS ${testDb} WITH (FORCE)`);

  const full = load.perSecond.slice(1, -1); // whole seconds only: the first and last are partial
  const sortedRates = [...full].sort((a, b) => a - b);
  const lat = [...load.latenciesMs].sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round((lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0) * 10) / 10;
  const result = {
    provenance: finishProvenance(PROVENANCE),
    when: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? '',
      node: process.version,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
    },
    params: {
      seconds: SECONDS,
      devices: DEVICES,
      batch: BATCH,
      docShare: DOC_SHARE,
      codeShare: CODE_SHARE,
      durability: 'PostgreSQL 15, fsync on, synchronous_commit on; acknowledged after COMMIT',
    },
    registrationsPerSecond: Math.round(sorted.length / (load.elapsedMs / 1000)),
    perSecond: {
      min: sortedRates[0] ?? 0,
      median: sortedRates[Math.floor(sortedRates.length / 2)] ?? 0,
      max: sortedRates[sortedRates.length - 1] ?? 0,
    },
    requestLatencyMs: { p50: pct(0.5), p99: pct(0.99), max: pct(1) },
    requests: load.requests,
    failedRequests: load.failedRequests,
    acknowledged: sorted.length,
    stored: stored.n,
    commitsApprox: commits,
    checksum: {
      acknowledged: ackedMd5,
      stored: stored.md5,
      match: ackedMd5 === stored.md5 && sorted.length === stored.n,
    },
    timeline: load.perSecond,
  };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, `bench/results/${OUT}.json`), JSON.stringify(result, null, 2) + '\n');
  fs.writeFileSync(path.join(root, `bench/results/${OUT}.md`), report(result));
  process.stdout.write(report(result));
  if (!result.checksum.match) process.exitCode = 1;
}

function report(r: {
  provenance: Provenance;
  when: string;
  machine: { cpus: number; model: string; node: string; memoryGb: number };
  params: {
    seconds: number;
    devices: number;
    batch: number;
    docShare: number;
    codeShare: number;
    durability: string;
  };
  registrationsPerSecond: number;
  perSecond: { min: number; median: number; max: number };
  requestLatencyMs: { p50: number; p99: number; max: number };
  requests: number;
  failedRequests: number;
  acknowledged: number;
  stored: number;
  commitsApprox: number;
  checksum: { acknowledged: string; stored: string; match: boolean };
}): string {
  return `# Sample collection bench 采样登记压测

${provenanceMarkdown(r.provenance)}
The testing service runs as its own
process (\`HC_ROLE=testing\`) with its own PostgreSQL database; the load generator, the service and PostgreSQL share the 2 cores.
Durability: ${r.params.durability}.

| measure | value |
| --- | --- |
| sustained registrations/s (acknowledged ÷ wall time) | **${r.registrationsPerSecond}** (target ≥ 10 000) |
| per whole second: min / median / max | ${r.perSecond.min} / ${r.perSecond.median} / ${r.perSecond.max} |
| batch request latency p50 / p99 / max | ${r.requestLatencyMs.p50} / ${r.requestLatencyMs.p99} / ${r.requestLatencyMs.max} ms |
| requests (failed) | ${r.requests} (${r.failedRequests}) |
| acknowledged registrations | ${r.acknowledged} |
| rows in testing.collections | ${r.stored} |
| group commits (distinct commit times) | ${r.commitsApprox} |
| checksum acknowledged / stored | \`${r.checksum.acknowledged}\` / \`${r.checksum.stored}\` → ${r.checksum.match ? 'match: every acknowledged registration is stored, nothing else' : 'MISMATCH'} |

Scans: ${Math.round((1 - r.params.docShare - r.params.codeShare) * 100)} % code subjects verified offline on the device, ${Math.round(r.params.docShare * 100)} % identity documents
(validated and keyed-hashed by the service), ${Math.round(r.params.codeShare * 100)} % JKM1 codes whose ES256 signature the service checks
against the trust list; pooled tubes of 20. Each device sends its next batch once the previous one
is acknowledged (docs/TESTING-SERVICE.md).
`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
