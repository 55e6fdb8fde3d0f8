/**
 * Every role runs what it names and its banner lists only that: an unknown or unbuilt role stops
 * the process at start with a clear message; worker and companion answer health checks and
 * nothing else; the testing role does not advertise the platform's pages.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { runTs } from '../../test/child.ts';
import { createTestContext, NATS_URL, USE_SERVICES, type TestContext } from '../../test/context.ts';
import { startProcess, type ProcessRunning } from './process.ts';

describe('process roles', () => {
  // one platform for every role below (a process is one role; here the roles take turns)
  let ctx: TestContext;
  let running: ProcessRunning | undefined;
  beforeAll(async () => {
    ctx = await createTestContext({
      config: { port: 0, host: '127.0.0.1', ...(USE_SERVICES ? { natsUrl: NATS_URL } : {}) },
    });
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  afterAll(async () => {
    await ctx.destroy();
  });

  it('refuses the unbuilt hub and unknown roles with a clear message', () => {
    expect(() => loadConfig({ HC_ROLE: 'hub' })).toThrow(ConfigError);
    expect(() => loadConfig({ HC_ROLE: 'hub' })).toThrow(/hub.*not built yet/);
    expect(() => loadConfig({ HC_ROLE: 'apis' })).toThrow(
      /HC_ROLE must be one of api, worker, testing, companion, all/,
    );
  });

  it('exits at start, before opening anything, when HC_ROLE=hub', async () => {
    const r = await runTs(['src/main.ts'], {
      env: { ...process.env, HC_ROLE: 'hub', HC_DATA_DIR: '/nonexistent/never-created', PORT: '0' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('HC_ROLE=hub');
    expect(r.stderr).toContain('not built yet');
    expect(r.stderr).not.toContain('    at '); // no stack trace for a configuration error
    expect(r.stdout).not.toContain('Health');
  });

  const start = async (role: 'api' | 'worker' | 'testing' | 'companion') => {
    ctx.config.role = role;
    running = await startProcess(ctx);
    return running.banner.join('\n');
  };
  const urlIn = (banner: string, label: string): string => {
    const m = new RegExp(`${label}\\s+(http://\\S+)`).exec(banner);
    if (!m) throw new Error(`no ${label} in\n${banner}`);
    return m[1]!;
  };

  it('api: the API, docs and web apps; no worker', async () => {
    ctx.config.docs = true; // HC_DOCS (on in demo mode only)
    const b = await start('api');
    expect(b).toContain('/docs');
    expect(b).toContain('/v1/trust-list');
    expect(b).not.toContain('Worker');
    expect(b).not.toContain('Companions');
    expect((await fetch(urlIn(b, 'Health'))).status).toBe(200);
  });

  it('worker: health checks only, no docs or web apps advertised or served', async () => {
    const b = await start('worker');
    expect(b).toContain('Worker');
    expect(b).not.toContain('/docs');
    expect(b).not.toContain('/app/');
    const health = urlIn(b, 'Health');
    expect(await (await fetch(health)).json()).toEqual({ status: 'ok', role: 'worker' });
    expect((await fetch(health.replace('/healthz', '/readyz'))).status).toBe(200);
    expect((await fetch(health.replace('/healthz', '/docs'))).status).toBe(404);
    expect((await fetch(health.replace('/healthz', '/v1/trust-list'))).status).toBe(404);
  });

  it('testing: its own API and health check, none of the platform pages', async () => {
    const b = await start('testing');
    expect(b).toContain('/testing/v1');
    expect(b).not.toContain('/docs');
    expect(b).not.toContain('/app/');
    expect(b).not.toContain('/v1/trust-list');
    const health = urlIn(b, 'Health');
    expect(health).toContain('/testing/v1/healthz');
    expect((await fetch(health)).status).toBe(200);
  });

  it.skipIf(!USE_SERVICES)('companion: its runs and health checks', async () => {
    const b = await start('companion');
    expect(b).toMatch(/Companions .*daily run of the previous day at 02:00 UTC\+8/);
    expect(b).toContain('tile workers on NATS JetStream');
    expect(b).not.toContain('/docs');
    expect((await fetch(urlIn(b, 'Health'))).status).toBe(200);
  });

  it('companion without NATS refuses to start: its records would reach nobody', async () => {
    const natsUrl = ctx.config.natsUrl;
    Object.assign(ctx.config, { role: 'companion', natsUrl: undefined });
    try {
      await expect(startProcess(ctx)).rejects.toThrow(/HC_ROLE=companion needs NATS_URL/);
    } finally {
      ctx.config.natsUrl = natsUrl;
    }
  });
});
