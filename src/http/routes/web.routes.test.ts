/** Serving the built web apps: pages, deep links, hashed assets (pre-compressed), the .wasm, the service worker. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { buildServer } from '../server.ts';
import { webRoutes } from './web.routes.ts';

describe('web routes', () => {
  let ctx: TestContext;
  let dir: string;
  const saved = process.env.HC_WEB_DIST;

  const serve = async (dist: string): Promise<FastifyInstance> => {
    process.env.HC_WEB_DIST = dist;
    return (await buildServer(ctx, { logger: false, extraRoutes: [webRoutes] })).app;
  };

  beforeAll(async () => {
    ctx = await createTestContext();
    dir = mkdtempSync(path.join(os.tmpdir(), 'hc-web-'));
    for (const app of ['app', 'scan', 'console']) {
      mkdirSync(path.join(dir, app), { recursive: true });
      writeFileSync(path.join(dir, app, 'index.html'), `<!doctype html><title>${app}</title>`);
    }
    mkdirSync(path.join(dir, 'assets'));
    const js = 'console.log("hello");'.repeat(100);
    writeFileSync(path.join(dir, 'assets/app-abc.js'), js);
    writeFileSync(path.join(dir, 'assets/app-abc.js.gz'), gzipSync(js));
    writeFileSync(
      path.join(dir, 'assets/zxing_reader-x.wasm'),
      Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    );
    writeFileSync(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env.HC_WEB_DIST;
    else process.env.HC_WEB_DIST = saved;
    rmSync(dir, { recursive: true, force: true });
    await ctx.destroy();
  });

  it('serves pages, deep links, assets and the service worker; nothing outside dist', async () => {
    const app = await serve(dir);
    const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers });

    expect((await get('/app')).headers.location).toBe('/app/');
    const page = await get('/scan/');
    expect([page.statusCode, page.body, page.headers['cache-control']]).toEqual([
      200,
      '<!doctype html><title>scan</title>',
      'no-cache',
    ]);
    expect((await get('/console/anything/deep')).body).toContain('<title>console</title>');
    expect((await get('/app/missing.png')).statusCode).toBe(404);

    const js = await get('/assets/app-abc.js', { 'accept-encoding': 'gzip' });
    expect([js.statusCode, js.headers['content-encoding'], js.headers['cache-control']]).toEqual([
      200,
      'gzip',
      'public, max-age=31536000, immutable',
    ]);
    const wasm = await get('/assets/zxing_reader-x.wasm');
    expect([wasm.statusCode, wasm.headers['content-type']]).toEqual([200, 'application/wasm']);

    const sw = await get('/app/sw.js');
    expect([sw.statusCode, sw.headers['cache-control']]).toEqual([200, 'no-cache']);
    expect(sw.headers['content-type']).toMatch(/javascript/);
    expect((await get('/console/sw.js')).statusCode).toBe(404); // the console has no offline mode

    expect((await get('/assets/../app/index.html')).statusCode).toBe(404);
    expect((await get('/assets/%2e%2e/%2e%2e/package.json')).statusCode).toBe(404);
    expect((await get('/assets/nope.js')).statusCode).toBe(404);
    await app.close();
  });

  it('says how to build when web/dist is missing', async () => {
    const app = await serve(path.join(dir, 'nowhere'));
    const res = await app.inject({ url: '/app/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:web');
    await app.close();
  });
});
