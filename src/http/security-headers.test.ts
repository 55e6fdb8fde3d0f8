/**
 * Security headers on every response: pages, docs, API answers, errors and shed requests alike
 * (issue: no CSP, nosniff, framing protection or referrer policy). The browser tests
 * (test/browser) prove the three apps and /docs run under this CSP in Chromium.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test/context.ts';
import type { RouteModule } from './app.ts';
import { webRoutes } from './routes/web.routes.ts';
import { buildServer } from './server.ts';

describe('security headers', () => {
  let ctx: TestContext;
  let dir: string;
  const saved = process.env.HC_WEB_DIST;

  beforeAll(async () => {
    ctx = await createTestContext({ config: { docs: true } });
    dir = mkdtempSync(path.join(os.tmpdir(), 'hc-headers-'));
    for (const app of ['app', 'scan', 'console']) {
      mkdirSync(path.join(dir, app), { recursive: true });
      writeFileSync(path.join(dir, app, 'index.html'), `<!doctype html><title>${app}</title>`);
    }
    process.env.HC_WEB_DIST = dir;
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env.HC_WEB_DIST;
    else process.env.HC_WEB_DIST = saved;
    rmSync(dir, { recursive: true, force: true });
    await ctx.destroy();
  });

  it('every page, the docs, API answers and errors carry CSP, no-framing, nosniff and no-referrer', async () => {
    const { app } = await buildServer(ctx, { logger: false, extraRoutes: [webRoutes] });
    for (const url of [
      '/app/',
      '/scan/',
      '/console/',
      '/docs/',
      '/docs/json',
      '/v1/trust-list',
      '/healthz',
      '/nope',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(url === '/nope' ? 404 : 200);
      const csp = String(res.headers['content-security-policy']);
      const directives = new Map(
        csp.split(';').map((d) => {
          const [name = '', ...values] = d.trim().split(/\s+/);
          return [name, values.join(' ')] as const;
        }),
      );
      expect({ url, frameAncestors: directives.get('frame-ancestors') }).toEqual({
        url,
        frameAncestors: "'none'",
      });
      expect(directives.get('default-src'), url).toBe("'self'");
      expect(directives.get('script-src'), url).toBe("'self' 'wasm-unsafe-eval'"); // no inline script
      expect(directives.get('object-src'), url).toBe("'none'");
      expect(directives.get('worker-src'), url).toBe("'self' blob:");
      expect(directives.get('style-src'), url).toMatch(
        url.startsWith('/docs') ? /^'self' 'sha256-[^']+'$/ : /^'self'$/,
      );
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
    }
    await app.close();
  });

  it('a request shed for overload carries them too', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const hold: RouteModule = (app) => {
      app.get('/hold', { config: { auth: 'public' } }, async () => {
        entered();
        await gate;
        return { ok: true };
      });
    };
    const { app } = await buildServer(ctx, { logger: false, maxInFlight: 1, extraRoutes: [hold] });
    const held = app.inject({ url: '/hold' });
    await inside; // the one admitted request is in its handler
    const shed = await app.inject({ url: '/v1/trust-list' });
    expect(shed.statusCode).toBe(429);
    expect(shed.headers['x-frame-options']).toBe('DENY');
    expect(String(shed.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    release();
    expect((await held).statusCode).toBe(200);
    await app.close();
  });
});
