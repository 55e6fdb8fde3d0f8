/**
 * bench/code-display: code display (bearer auth + cached status + ES256 signature) over HTTP,
 * measured with autocannon against a bare Fastify hello-world in the same run, on PostgreSQL +
 * Redis. Writes bench/results/code-display.{json,md}.
 *
 *   node --import tsx bench/code-display/run.ts [--residents 20000] [--duration 20]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/roles/context.ts';
import { seedDemoCity } from '../../src/roles/demo-seed.ts';
import { freshDatabase } from '../lib/bench-db.ts';
import type { PacedLoadResult } from '../lib/paced-load.ts';
import { procCpuSeconds } from '../lib/proc-cpu.ts';
import { finishProvenance, provenanceMarkdown, startProvenance } from '../lib/provenance.ts';
import { helpIfAsked } from '../lib/usage.ts';

helpIfAsked(`基准：亮码 Code display benchmark: GET /v1/me/code against a bare Fastify server (writes bench/results/code-display.{json,md}).
Usage: node --import tsx bench/code-display/run.ts [--residents 20000] [--duration 20] [--connections 64] [--cpu-prof] [--server-log FILE] [--server-node-args "..."]
Uses PostgreSQL (database hc_bench_code) and its own Redis database, emptied first (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14).`);

const PROVENANCE = startProvenance();

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RESIDENTS = arg('residents', 20_000);
const DURATION = arg('duration', 20);
const CONNECTIONS = arg('connections', 64);
// Its own Redis database (14): the run empties it first (FLUSHDB), so it must never be one that
// tests or a running platform use — emptying database 0 once wiped the sign-in counters of a test
// run beside it. BENCH_REDIS_URL chooses another.
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';

const CPU_PROF = process.argv.includes('--cpu-prof');
/** --server-log <file>: the servers' stdout (e.g. with --server-node-args --trace-gc) */
const SERVER_LOG = (() => {
  const i = process.argv.indexOf('--server-log');
  return i > 0 ? process.argv[i + 1] : undefined;
})();
/** extra node flags for the api server, e.g. --server-node-args "--max-semi-space-size=64" */
const SERVER_NODE_ARGS = (() => {
  const i = process.argv.indexOf('--server-node-args');
  return i > 0 ? (process.argv[i + 1] ?? '').split(' ').filter(Boolean) : [];
})();

/** CPU seconds so far of a server child: all its threads, and its event-loop thread alone. */
function serverCpu(child: ChildProcess): { all: number; main: number } {
  return { all: procCpuSeconds(child.pid!), main: procCpuSeconds(child.pid!, child.pid!) };
}

function startChild(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.on('data', (d: Buffer) => {
      if (SERVER_LOG) fs.appendFileSync(SERVER_LOG, d);
      if (d.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
}

/** bench/lib/paced-load.ts in a fresh process of its own. */
function pacedInChild(
  url: string,
  rate: number,
  seconds: number,
  connections: number,
  bearerFile: string,
): Promise<PacedLoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/lib/paced-load.ts',
        url,
        String(rate),
        String(seconds),
        String(connections),
        bearerFile,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as PacedLoadResult)
        : reject(new Error(`paced load exited ${code}`)),
    );
  });
}

type Result = autocannon.Result;
function run(opts: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    const inst = autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
    void inst;
  });
}

function summary(r: Result) {
  return {
    requestsPerSecond: Math.round(r.requests.average),
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    latencyMaxMs: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    total: r.requests.total,
  };
}

async function main(): Promise<void> {
  const masterKey = crypto.randomBytes(32).toString('hex');
  const databaseUrl = await freshDatabase('hc_bench_code');
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    HC_MASTER_KEY: masterKey,
    HC_DEMO: 'false',
    LOG_LEVEL: 'warn',
  };
  process.stderr.write(`seeding ${RESIDENTS} residents on PostgreSQL…\n`);
  const config = loadConfig({ ...env, HC_ROLE: 'worker' });
  const ctx = await createContext(config, { log: pino({ level: 'warn' }), schema: 'apply' });
  const redis = (ctx.cache as unknown as { redis?: { flushdb(): Promise<unknown> } }).redis;
  await redis?.flushdb();
  await seedDemoCity(ctx, RESIDENTS);
  const ids = (await ctx.db.query<{ id: number }>('SELECT id FROM persons ORDER BY id LIMIT 5000')).rows.map(
    (r) => r.id,
  );
  // each resident signed in: a session of their own, as after sign-in by code
  const bearers: string[] = [];
  for (const id of ids) bearers.push(`Bearer ${(await ctx.auth.residentSession(id)).accessToken}`);
  await ctx.close();

  const hello = await startChild('bench/code-display/hello.ts', { PORT: '18101' });
  const api = await startChild('bench/code-display/server.ts', { ...env, PORT: '18102', HC_ROLE: 'api' }, [
    ...SERVER_NODE_ARGS,
    ...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/hc-code-display-prof'] : []),
  ]);
  let i = 0;
  // Each request carries a different resident's bearer token, so the status cache is really read.
  // The hello-world run sends the same headers through the same setupRequest, so the client's own
  // cost per request (autocannon runs on the same 2 cores) is the same in both runs.
  const withBearer = (path: string): autocannon.Options['requests'] => [
    {
      method: 'GET',
      path,
      setupRequest: (req) => ({
        ...req,
        headers: { authorization: bearers[i++ % bearers.length] as string },
      }),
    },
  ];
  const helloRequest: autocannon.Options = {
    url: 'http://127.0.0.1:18101/hello',
    connections: CONNECTIONS,
    requests: withBearer('/hello'),
  };
  const codeRequest: autocannon.Options = {
    url: 'http://127.0.0.1:18102/v1/me/code',
    connections: CONNECTIONS,
    requests: withBearer('/v1/me/code'),
  };
  /** One load run and the CPU it cost per request: the server's (all threads, event loop) and this process's (autocannon). */
  const withCpu = async <R>(server: ChildProcess, load: () => Promise<R>, requests: (r: R) => number) => {
    const server0 = serverCpu(server);
    const client0 = process.cpuUsage();
    const r = await load();
    const client = process.cpuUsage(client0);
    const server1 = serverCpu(server);
    const n = requests(r);
    const perRequest = (seconds: number) => (n ? Math.round((seconds * 1e6) / n) : null);
    return {
      ...r,
      serverCpuSeconds: Math.round((server1.all - server0.all) * 100) / 100,
      serverCpuMicrosPerRequest: perRequest(server1.all - server0.all),
      // the event-loop thread alone: what bounds one process's throughput
      serverMainThreadCpuMicrosPerRequest: perRequest(server1.main - server0.main),
      // autocannon, on the same 2 cores
      clientCpuMicrosPerRequest: perRequest((client.user + client.system) / 1e6),
    };
  };
  const measure = (server: ChildProcess, opts: autocannon.Options) =>
    withCpu(
      server,
      async () => summary(await run(opts)),
      (r) => r.total,
    );
  try {
    process.stderr.write('warm-up…\n');
    await run({ ...helloRequest, duration: 5 });
    await run({ ...codeRequest, duration: 5 });
    process.stderr.write(`hello-world ${DURATION} s…\n`);
    const base = await measure(hello, { ...helloRequest, duration: DURATION });
    process.stderr.write(`code display ${DURATION} s…\n`);
    const code = await measure(api, { ...codeRequest, duration: DURATION });
    process.stderr.write(`code display at a fixed 5 000 req/s, ${DURATION} s…\n`);
    const fixed = await measure(api, { ...codeRequest, duration: DURATION, overallRate: 5000 });
    process.stderr.write(`code display paced evenly at 5 000 req/s (open loop), ${DURATION} s…\n`);
    const bearerFile = path.join(os.tmpdir(), `hc-code-display-bearers-${process.pid}.txt`);
    fs.writeFileSync(bearerFile, bearers.join('\n'));
    const pacedRun = await withCpu(
      api,
      () => pacedInChild('http://127.0.0.1:18102/v1/me/code', 5000, DURATION, CONNECTIONS, bearerFile),
      (r) => r.completed,
    );
    const paced = { ...pacedRun, clientCpuMicrosPerRequest: null }; // its client is another process
    fs.rmSync(bearerFile, { force: true });
    const ratio = Math.round((code.requestsPerSecond / base.requestsPerSecond) * 1000) / 1000;
    const result = {
      benchmark: 'code-display',
      provenance: finishProvenance(PROVENANCE),
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
      setup: {
        database: 'PostgreSQL 15',
        cache: 'Redis',
        residents: RESIDENTS,
        distinctResidentsRequested: ids.length,
        connections: CONNECTIONS,
        durationSeconds: DURATION,
      },
      helloWorld: base,
      codeDisplay: code,
      codeDisplayAt5000: fixed,
      codeDisplayPacedAt5000: paced,
      ratio,
      targets: { ratio: 0.6, p99MsAt5000: 20 },
      met: {
        ratio: ratio >= 0.6,
        p99At5000: paced.latencyMs.p99 <= 20 && paced.non2xx === 0 && paced.errors === 0,
      },
    };
    const dir = path.resolve('bench/results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'code-display.json'), JSON.stringify(result, null, 2) + '\n');
    fs.writeFileSync(
      path.join(dir, 'code-display.md'),
      `# Code display benchmark\n\n${provenanceMarkdown(result.provenance)}\nPostgreSQL + Redis, ${RESIDENTS} residents, ${ids.length} distinct bearer tokens, ${CONNECTIONS} connections, ${DURATION} s per run.\n\n` +
        `| run | req/s | p50 ms | p99 ms | max ms | non-2xx | server event loop µs/req | server all threads µs/req | client µs/req |\n|---|---|---|---|---|---|---|---|---|\n` +
        (
          [
            ['bare Fastify hello-world', base],
            ['GET /v1/me/code (auth + cached status + ES256)', code],
            ['GET /v1/me/code, autocannon overallRate 5 000 (bursts, see below)', fixed],
          ] as const
        )
          .map(
            ([label, r]) =>
              `| ${label} | ${r.requestsPerSecond} | ${r.latencyP50Ms} | ${r.latencyP99Ms} | ${r.latencyMaxMs} | ${r.non2xx} | ${r.serverMainThreadCpuMicrosPerRequest} | ${r.serverCpuMicrosPerRequest} | ${r.clientCpuMicrosPerRequest} |`,
          )
          .join('\n') +
        `\n| GET /v1/me/code paced evenly at 5 000 req/s (open loop, bench/lib/paced-load.ts) | ${paced.achievedPerSecond} | ${paced.latencyMs.p50} | ${paced.latencyMs.p99} | ${paced.latencyMs.max} | ${paced.non2xx + paced.errors} | ${paced.serverMainThreadCpuMicrosPerRequest} | ${paced.serverCpuMicrosPerRequest} | — |` +
        `\n\nRatio code display / hello-world: **${ratio}** (target ≥ 0.6). p99 at a steady 5 000 req/s: **${paced.latencyMs.p99} ms** (p99.9 ${paced.latencyMs.p999} ms; target ≤ 20 ms). ` +
        `Load average at the end: ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' / ')}.\n\n` +
        `autocannon's \`overallRate\` gives each connection a quota per second that it fires back to back at the start of the second, so its row measures one-second bursts at full speed followed by idle time, not a steady rate; the paced row sends a request every 200 µs and measures each latency from the moment it was due (no coordinated omission).\n\n` +
        `CPU columns: user + system time of the server process (all its threads, and its event-loop thread alone) and of autocannon, per request, from /proc — what each request costs whatever the machine's load.\n\n` +
        `Reading: server and autocannon share the machine's ${os.cpus().length} cores, so throughput follows the total CPU per request (server + client): ` +
        `${(base.serverCpuMicrosPerRequest ?? 0) + (base.clientCpuMicrosPerRequest ?? 0)} µs for hello-world, ${(code.serverCpuMicrosPerRequest ?? 0) + (code.clientCpuMicrosPerRequest ?? 0)} µs for code display ` +
        `(CPU ratio ${(((base.serverCpuMicrosPerRequest ?? 0) + (base.clientCpuMicrosPerRequest ?? 0)) / ((code.serverCpuMicrosPerRequest ?? 1) + (code.clientCpuMicrosPerRequest ?? 0))).toFixed(2)}). ` +
        `A ratio of 0.6 needs code display within 1/0.6 of hello-world's total, but its client alone costs more than hello-world's (a 1.2 KB response) and one P-256 signature through node:crypto costs ≥ 30 µs (21 µs raw in \`openssl speed ecdsap256\`), more than a bare Fastify request's whole server side.\n`,
    );
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    hello.kill();
    api.kill(); // SIGTERM: the bench server exits cleanly, so --cpu-prof writes its profile
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
