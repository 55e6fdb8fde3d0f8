/**
 * One process, one role (docs/DESIGN.md §12, docs/OPERATIONS.md): starts what HC_ROLE names and
 * nothing else, and describes exactly that in the start banner.
 *
 * | role      | serves                                                                      |
 * | --------- | --------------------------------------------------------------------------- |
 * | api       | the HTTP API, the web apps, /docs (HC_DOCS), /metrics (HC_METRICS*)         |
 * | worker    | recompute, feed consumers, places sweeps, retention; /healthz, /readyz      |
 * | testing   | the testing service's API (its own database when configured)                |
 * | companion | daily and per-case companion runs, JetStream tile workers; /healthz, /readyz |
 * | all       | every one of them in one process (the embedded default)                     |
 */
import type { FastifyInstance } from 'fastify';
import { buildHealthServer } from '../http/health-server.ts';
import { startRoles } from './api.role.ts';
import { startCompanionRole, type CompanionRunning } from './companion.role.ts';
import type { AppContext } from './context.ts';
import { startTestingRole, type TestingRunning } from './nat-testing.role.ts';

export interface ProcessRunning {
  /** what this process serves, for the start banner (Chinese first, then English) */
  banner: string[];
  stop(): Promise<void>;
}

const hhmm = (ms: number): string =>
  new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') + ' (UTC+8)';

/** Starts the configured role on this context and listens where it serves. */
export async function startProcess(ctx: AppContext): Promise<ProcessRunning> {
  const { config } = ctx;
  const role = config.role;
  const stops: Array<() => Promise<void>> = [];
  const lines = [
    '',
    `健康码平台 Health Code Platform — role ${role}, issuer ${config.issuer}, database ${ctx.db.kind}` +
      `${config.demo ? ', DEMO MODE 演示模式' : ''}`,
  ];
  if (config.testClockFile)
    lines.push(
      `  TEST CLOCK    测试时钟: 时间取自 time comes from ${config.testClockFile} (HC_TEST_CLOCK, simulations only)`,
    );
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  // Demo mode hands out demo passwords: say where it listens (loopback unless HOST says otherwise).
  if (config.host === '127.0.0.1' || config.host === '::1' || config.host === 'localhost')
    lines.push(
      `  Listening on  ${config.host} 仅本机 loopback only` +
        (config.demo
          ? ' — 演示模式公开演示账号 demo mode hands out demo accounts; 对外开放请设 HOST=0.0.0.0 set HOST=0.0.0.0 to open it'
          : ''),
    );
  else
    lines.push(
      `  Listening on  ${config.host}${config.host === '0.0.0.0' ? ' 所有网络接口 all interfaces' : ''}`,
    );
  let apiBase: string | undefined;

  if (role === 'all' || role === 'api' || role === 'worker') {
    const running = await startRoles(ctx);
    stops.push(() => running.stop());
    if (running.url) {
      const base = `http://${host}:${new URL(running.url).port}`;
      apiBase = base;
      if (config.docs) lines.push(`  API docs      ${base}/docs`);
      if (running.metricsUrl) lines.push(`  Metrics       ${running.metricsUrl}/metrics (本机 own listener)`);
      else if (config.metrics.kind === 'public') lines.push(`  Metrics       ${base}/metrics`);
      lines.push(
        `  Health        ${base}/healthz  ${base}/readyz`,
        `  Trust list    ${base}/v1/trust-list`,
        `  Web apps      ${base}/app/ (居民 resident)  ${base}/scan/ (验码 scanner)  ${base}/console/ (工作台 officer)`,
      );
    }
    if (running.worker)
      lines.push(
        '  Worker        重算、数据接入消费、场所匹配、数据保留 recompute, feed consumers, places sweeps, retention',
      );
    if (role === 'worker') lines.push(await healthListener(ctx, stops));
  }

  let testing: TestingRunning | undefined;
  if (role === 'all' || role === 'testing') {
    // verifying residents' codes at collection needs the trust list
    if (role === 'testing') await ctx.keys.ensureKey();
    testing = await startTestingRole(ctx);
    stops.push(() => testing!.stop());
    if (testing.url) {
      lines.push(`  Testing API   ${testing.url}/testing/v1 (核酸检测服务 testing service)`);
      lines.push(`  Health        ${testing.url}/testing/v1/healthz`);
    }
    if (testing.demo)
      lines.push(
        `    collector X-Api-Key: ${testing.demo.testerKey}    lab X-Api-Key: ${testing.demo.labKey}    site ${testing.demo.siteId}`,
      );
  }

  let companion: CompanionRunning | undefined;
  if (role === 'all' || role === 'companion') {
    companion = await startCompanionRole(ctx);
    stops.push(() => companion!.stop());
    const o = companion.service.options;
    const next = companion.service.nextDailyRun();
    lines.push(
      `  Companions    时空伴随: 每日 ${String(o.hour).padStart(2, '0')}:00 计算前一日, 新病例即时计算 ` +
        `daily run of the previous day at ${String(o.hour).padStart(2, '0')}:00 UTC+8 (next: ${next.day} at ${hhmm(next.at)}), ` +
        `each new case against ${o.caseDaysBefore} days before it; radius ${o.radiusM} m, ${o.minSeconds} s; ` +
        (companion.mode === 'jetstream' ? 'tile workers on NATS JetStream' : 'in process') +
        ' → feeds.key-population',
    );
    if (role === 'companion') lines.push(await healthListener(ctx, stops));
  }

  if (config.demo && apiBase) lines.push(...(await demoLines(ctx, apiBase)));
  return {
    banner: lines,
    async stop() {
      for (const s of stops.reverse()) await s();
    },
  };
}

/** `/healthz` and `/readyz` on PORT for the roles without an API. */
async function healthListener(ctx: AppContext, stops: Array<() => Promise<void>>): Promise<string> {
  const app: FastifyInstance = buildHealthServer(ctx.config.role, {
    async ready() {
      await ctx.db.query('SELECT 1');
      await ctx.cache.get(0);
      return { database: ctx.db.kind };
    },
  });
  const url = await app.listen({ port: ctx.config.port, host: ctx.config.host });
  stops.unshift(() => app.close());
  const port = new URL(url).port;
  const host = ctx.config.host === '0.0.0.0' || ctx.config.host === '::' ? 'localhost' : ctx.config.host;
  return `  Health        http://${host}:${port}/healthz  http://${host}:${port}/readyz (only these)`;
}

async function demoLines(ctx: AppContext, base: string): Promise<string[]> {
  const acc = (
    await ctx.db.query<{
      value: {
        residents: Array<{ phone: string; colour: string; note: string }>;
        officer: { username: string; password: string };
        admin: { username: string; password: string };
        scanner: { apiKey: string };
      };
    }>("SELECT value FROM settings WHERE key = 'demo.accounts'")
  ).rows[0]?.value;
  const lines = [`  Demo accounts ${base}/v1/demo/accounts`];
  for (const r of acc?.residents ?? [])
    lines.push(`    resident ${r.phone}  ${r.colour.padEnd(6)}  ${r.note}`);
  if (acc) {
    lines.push(
      `    officer  ${acc.officer.username} / ${acc.officer.password}    admin ${acc.admin.username} / ${acc.admin.password}`,
    );
    lines.push(`    scanner  X-Api-Key: ${acc.scanner.apiKey}`);
  }
  lines.push(`  Sign in: POST /v1/auth/otp {"phone"} → demoCode, then POST /v1/auth/login {"phone","code"}`);
  return lines;
}
