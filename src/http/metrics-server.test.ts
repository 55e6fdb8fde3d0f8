/**
 * /metrics and /docs are exposed only as configured: production serves metrics on a loopback
 * listener of their own and not on the public one, and has no /docs unless HC_DOCS says so; demo
 * mode listens on loopback only.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test/context.ts';
import { loadConfig } from '../config.ts';
import { startRoles } from '../roles/api.role.ts';
import { buildServer } from './server.ts';

describe('metrics and docs exposure', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => {
    await ctx.destroy();
  });

  it('docs off: no /docs; metrics on a separate listener: no /metrics on the public one', async () => {
    ctx.config.docs = false;
    ctx.config.metrics = { kind: 'separate', host: '127.0.0.1', port: 0 };
    const { app } = await buildServer(ctx, { logger: false });
    for (const url of ['/docs', '/docs/', '/docs/json', '/metrics'])
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    await app.close();

    ctx.config.docs = true;
    ctx.config.metrics = { kind: 'public' };
    const open = (await buildServer(ctx, { logger: false })).app;
    expect((await open.inject({ url: '/docs/json' })).json()).toMatchObject({ openapi: expect.any(String) });
    const metrics = await open.inject({ url: '/metrics' });
    expect([metrics.statusCode, metrics.body]).toEqual([
      200,
      expect.stringContaining('hc_http_request_duration_seconds'),
    ]);
    await open.close();

    ctx.config.metrics = { kind: 'off' };
    const none = (await buildServer(ctx, { logger: false })).app;
    expect((await none.inject({ url: '/metrics' })).statusCode).toBe(404);
    await none.close();
  });

  it('the api role serves metrics on their own loopback listener, not on the public one', async () => {
    ctx.config.role = 'api';
    ctx.config.port = 0;
    ctx.config.host = '127.0.0.1';
    ctx.config.metrics = { kind: 'separate', host: '127.0.0.1', port: 0 };
    const running = await startRoles(ctx);
    try {
      expect(running.url).toBeDefined();
      expect(running.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(running.metricsUrl).not.toBe(running.url);
      await fetch(`${running.url}/healthz`);
      expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
      const scraped = await fetch(`${running.metricsUrl}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(/hc_http_request_duration_seconds_count\{route="\/healthz"/);
    } finally {
      await running.stop();
    }
  });

  it('demo mode listens on loopback only unless HOST says otherwise', async () => {
    const demo = loadConfig({ PORT: '0' });
    expect(demo.demo).toBe(true);
    ctx.config.role = 'api';
    ctx.config.port = 0;
    ctx.config.host = demo.host;
    ctx.config.metrics = { kind: 'public' };
    const running = await startRoles(ctx);
    try {
      const address = running.app!.server.address() as AddressInfo;
      expect(address.address).toBe('127.0.0.1');
    } finally {
      await running.stop();
    }
  });
});
