/**
 * `hc simulate`: the city simulation (src/sim/simulate.ts) against a running platform (--url,
 * e.g. the scripted topology) or an embedded one it starts itself; writes
 * bench/results/simulate.{json,md} (docs/OPERATIONS.md "Simulation").
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseClockSetting, writeClockSetting } from '../../adapters/clock/file-clock.ts';
import { PlatformClient, pause, type OtpSource } from '../../sim/platform-client.ts';
import { simulate, type SimulateReport } from '../../sim/simulate.ts';
import { progressBar, type Progress } from '../progress.ts';
import { renderSimulateMarkdown, type SimulateRun } from './simulate.report.ts';

const HOUR = 3_600_000;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

interface Options {
  residents: string;
  days: string;
  stepHours: string;
  checkpointEvery: string;
  seed: string;
  concurrency: string;
  track: string;
  url?: string;
  testingUrl?: string;
  clockFile?: string;
  staffFile?: string;
  smsPort?: string;
  label: string;
  out: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child?: ChildProcess): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (child && child.exitCode !== null)
      throw new Error(`the platform exited (${child.exitCode}) before it was ready`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await pause(250);
  }
  throw new Error(`${url} did not become ready`);
}

/** One-time codes as the SMS gateway webhook receives them (production mode: no demo codes). */
function smsWebhook(port: number): { otp: OtpSource; close(): void } {
  const inbox = new Map<string, string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        const m = JSON.parse(body) as { phone: string; text: string };
        const code = /\b(\d{6})\b/.exec(m.text)?.[1];
        if (code) inbox.set(m.phone, code);
      } catch {
        /* not a message */
      }
      res.writeHead(204).end();
    });
  });
  server.listen(port, '127.0.0.1');
  return {
    async otp(phone) {
      for (let i = 0; i < 600; i++) {
        const c = inbox.get(phone);
        if (c) {
          inbox.delete(phone);
          return c;
        }
        await pause(10);
      }
      throw new Error(`no one-time code for ${phone} reached the SMS webhook on port ${port}`);
    },
    close: () => server.close(),
  };
}

/** Starts `npm start`'s embedded platform (demo mode, fresh data folder) on the given clock file. */
async function startEmbedded(
  clockFile: string,
): Promise<{ urls: { api: string[]; testing: string }; stop(): Promise<void>; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-simulate-'));
  const port = await freePort();
  const ts = fileURLToPath(import.meta.url).endsWith('.ts');
  const main = path.resolve(here, ts ? '../../main.ts' : '../../main.js');
  const child = spawn(process.execPath, [...(ts ? ['--import', 'tsx'] : []), main], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      NATS_URL: '',
      HC_ROLE: 'all',
      HC_DEMO: '1',
      HC_DEMO_RESIDENTS: '0',
      HC_DATA_DIR: dir,
      HC_TEST_CLOCK: clockFile,
      HC_ACCESS_TTL: String(30 * 86400),
      // residents' own addresses come in X-Forwarded-For (sign-in limits count per client)
      HC_TRUST_PROXY: '127.0.0.1',
      HC_TESTING_DATABASE_URL: '',
      HC_TESTING_PORT: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const api = `http://127.0.0.1:${port}`;
  await waitReady(`${api}/readyz`, child);
  await waitReady(`http://127.0.0.1:${port + 1}/testing/v1/healthz`, child);
  return {
    urls: { api: [api], testing: `http://127.0.0.1:${port + 1}` },
    dir,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function machine(): Record<string, unknown> {
  return {
    host: os.hostname(),
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

function commit(): string {
  try {
    const id = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${id} (+ uncommitted changes)` : id;
  } catch {
    return 'unknown';
  }
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      '城市模拟 Drive a synthetic city through the public interfaces on an accelerated clock and compare every code with the reference evaluator of docs/POLICY.md and docs/PLACES.md (lists, declarations, tests, trips, pings, risk areas, check-ins, cities with cases, key occupations, corrections, a policy change); 0 mismatches expected',
    )
    .option('-n, --residents <n>', 'residents 居民数', '50000')
    .option('--days <n>', 'simulated days 模拟天数', '7')
    .option('--step-hours <h>', 'simulated hours per step', '2')
    .option(
      '--checkpoint-every <days>',
      'read every code every this many simulated days (and at the end)',
      '1',
    )
    .option('--seed <n>', 'random seed', '1')
    .option('--concurrency <n>', 'requests in flight', '32')
    .option('--track <n>', 'residents per step whose fact → colour latency is measured', '10')
    .option(
      '--url <urls>',
      'a running platform: api base URL(s), comma-separated (default: start the embedded one)',
    )
    .option('--testing-url <url>', "the testing service's base URL (with --url)")
    .option('--clock-file <file>', 'the HC_TEST_CLOCK file the running platform reads (with --url)')
    .option(
      '--staff-file <file>',
      'JSON {admin:{username,password}, officer:{username,password}} (with --url)',
    )
    .option(
      '--sms-port <port>',
      'receive one-time codes on this port (HC_SMS_WEBHOOK_URL of a production platform)',
    )
    .option('--label <name>', 'name of this run in the results (embedded, topology, …)', 'embedded')
    .option('--out <path>', 'results without extension (.json and .md are written)', 'bench/results/simulate')
    .action(async (o: Options) => {
      const opts = {
        residents: Number(o.residents),
        days: Number(o.days),
        stepMs: Number(o.stepHours) * HOUR,
        checkpointEveryDays: Number(o.checkpointEvery),
        seed: Number(o.seed),
        concurrency: Number(o.concurrency),
        trackPerStep: Number(o.track),
      };
      for (const [k, v] of Object.entries(opts))
        if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} must be a non-negative number`);
      if (o.url && (!o.testingUrl || !o.clockFile || !o.staffFile))
        throw new Error(
          '--url needs --testing-url, --clock-file and --staff-file (scripts/topology prints them)',
        );
      const load0 = os.loadavg();
      const clockFile = o.clockFile ?? path.join(os.tmpdir(), `hc-simulate-clock-${process.pid}`);
      // Start on the next whole hour after the platform's current time; hold the clock still.
      const current = fs.existsSync(clockFile)
        ? parseClockSetting(fs.readFileSync(clockFile, 'utf8'))
        : undefined;
      const base = Math.max(
        Date.now(),
        current ? current.sim + (Date.now() - current.real) * current.rate : 0,
      );
      const startSim = Math.ceil(base / HOUR) * HOUR + HOUR;
      writeClockSetting(clockFile, { sim: startSim, real: Date.now(), rate: 0 });
      const embedded = o.url ? undefined : await startEmbedded(clockFile);
      const urls = embedded?.urls ?? { api: o.url!.split(','), testing: o.testingUrl! };
      const client = new PlatformClient(urls);
      const staff = o.staffFile
        ? (JSON.parse(fs.readFileSync(o.staffFile, 'utf8')) as Parameters<typeof simulate>[1]['staff'])
        : await client.get<{
            admin: { username: string; password: string };
            officer: { username: string; password: string };
          }>('/v1/demo/accounts');
      const sms = o.smsPort ? smsWebhook(Number(o.smsPort)) : undefined;
      let bar: { phase: string; p: Progress } | undefined;
      const command = `hc simulate ${process.argv.slice(3).join(' ')}`.trim();
      // the code that runs is the code at the start: the checkout may move during a long run
      const commitAtStart = commit();
      let report: SimulateReport;
      try {
        report = await simulate(
          opts,
          {
            client,
            async setClock(sim) {
              writeClockSetting(clockFile, { sim, real: Date.now(), rate: 0 });
              await pause(120); // FileClock re-reads every 20 ms
            },
            otp: sms?.otp ?? (async () => Promise.reject(new Error('no demo code and no --sms-port'))),
            staff: { admin: staff.admin, officer: staff.officer },
            progress(phase, done, total) {
              if (bar?.phase !== phase) {
                bar?.p.stop();
                bar = { phase, p: progressBar(phase, total, '') };
              }
              bar.p.update(done, total);
            },
            log(line) {
              bar?.p.stop();
              bar = undefined;
              process.stderr.write(line + '\n');
            },
          },
          startSim,
        );
      } finally {
        bar?.p.stop();
        sms?.close();
        await embedded?.stop();
        if (!o.clockFile) fs.rmSync(clockFile, { force: true });
      }
      const run = {
        label: o.label,
        when: new Date().toISOString(),
        commit: commitAtStart,
        command,
        machine: machine(),
        load: { before: load0.map((x) => x.toFixed(2)), after: os.loadavg().map((x) => x.toFixed(2)) },
        target: embedded
          ? 'embedded default (npm start: PGlite, in-process cache and bus), started by hc simulate'
          : `running platform ${urls.api.join(', ')}`,
        ...report,
      };
      const jsonFile = path.resolve(o.out + '.json');
      fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
      const all = fs.existsSync(jsonFile)
        ? (JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as { runs?: Record<string, unknown> })
        : {};
      const runs = { ...(all.runs ?? {}), [o.label]: run };
      fs.writeFileSync(jsonFile, JSON.stringify({ runs }, null, 2) + '\n');
      fs.writeFileSync(
        path.resolve(o.out + '.md'),
        renderSimulateMarkdown(runs as Record<string, SimulateRun>),
      );
      process.stdout.write(
        `${o.label}: ${report.checkpoints.length} checkpoints, ${report.mismatches} mismatches 不一致; ` +
          `${report.wallSeconds} s; results in ${o.out}.{json,md}\n`,
      );
      if (report.mismatches > 0) process.exitCode = 1;
    });
}
