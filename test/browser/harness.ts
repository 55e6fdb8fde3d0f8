/**
 * Browser-test harness: the real platform (test context + HTTP server on a free port, every
 * feature's routes), the built web apps, and Debian's Chromium driven by playwright-core.
 * Tests skip when /usr/bin/chromium is missing (`apt-get install -y chromium` installs it) — except
 * with HC_REQUIRE_BROWSER=1 (CI sets it), where a missing browser fails the run instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import jsQRImport from 'jsqr';
import QRCode from 'qrcode';
import type { Config } from '../../src/config.ts';
import { buildServer } from '../../src/http/server.ts';
import { FEATURES } from '../../src/roles/features.ts';
import { RecomputeWorker } from '../../src/services/recompute.worker.ts';
import { createTestContext, type TestContext } from '../context.ts';

// jsqr is a CommonJS bundle: depending on the loader the default import is the function or holds it.
const jsQR = (
  typeof jsQRImport === 'function' ? jsQRImport : jsQRImport.default
) as typeof jsQRImport.default;

export const CHROMIUM = process.env.HC_CHROMIUM ?? '/usr/bin/chromium';
/**
 * Whether the browser tests can run. With HC_REQUIRE_BROWSER=1 a missing Chromium is an error, so
 * CI can't pass with the browser tests silently skipped.
 */
export function chromiumPresent(executable = CHROMIUM, env: NodeJS.ProcessEnv = process.env): boolean {
  if (existsSync(executable)) return true;
  if (env.HC_REQUIRE_BROWSER === '1')
    throw new Error(
      `HC_REQUIRE_BROWSER=1 but there is no Chromium at ${executable} (install it: apt-get install -y chromium, or set HC_CHROMIUM)`,
    );
  return false;
}
export const HAS_CHROMIUM = chromiumPresent();
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS_DIR = path.join(ROOT, 'test-results');

export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1280, height: 800 };

const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Builds web/dist when missing or stale (locked, so parallel test files build once). */
export function ensureWebBuilt(): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-web-if-needed.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('web build failed');
}

export interface Platform {
  ctx: TestContext;
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** The whole platform listening on 127.0.0.1 and a free port (HC_TEST_PORT: that one, on a shared machine). */
export async function startPlatform(config: Partial<Config> = {}): Promise<Platform> {
  const ctx = await createTestContext({ config });
  await ctx.keys.ensureKey();
  const extraRoutes = FEATURES.flatMap((f) => (f.routes ? [f.routes] : []));
  const { app } = await buildServer(ctx, { logger: false, extraRoutes });
  // Colours follow new facts (declarations, check-ins) as in the running platform.
  const worker = new RecomputeWorker(ctx.bus, ctx.statuses, ctx.log);
  await worker.start();
  const url = await app.listen({ port: Number(process.env.HC_TEST_PORT ?? 0), host: '127.0.0.1' });
  return {
    ctx,
    app,
    url: url.replace('127.0.0.1', 'localhost'), // localhost is a secure context: WebCrypto, service workers
    async close() {
      await app.close();
      await worker.stop();
      await ctx.destroy();
    },
  };
}

/** Chromium with the project's flags plus any extra (fake camera, WebGL). */
export function launch(extra: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, ...extra] });
}

/** Fails the test on any request that leaves the platform (CDNs, tile servers). */
export function recordForeignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  return foreign;
}

/**
 * Records what the page's Content-Security-Policy blocked (Chromium reports each on the console:
 * "Refused to … because it violates the following Content Security Policy directive"), so a test
 * can assert the app runs under the platform's CSP (src/http/security-headers.ts).
 */
export function recordCspViolations(page: Page): string[] {
  const blocked: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
  });
  return blocked;
}

/** Writes a screenshot to test-results/<name>.png and returns the PNG bytes. */
export async function shot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return page.screenshot({ path: path.join(RESULTS_DIR, `${name}.png`) });
}

/** Decodes the first QR code in a PNG screenshot, or undefined. */
export function decodeQr(png: Buffer): string | undefined {
  const img = PNG.sync.read(png);
  const r = jsQR(
    new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length),
    img.width,
    img.height,
  );
  return r?.data;
}

/**
 * A YUV4MPEG2 (I420) video of a QR code for Chromium's fake camera
 * (--use-file-for-fake-video-capture). Dark modules are luma 16, light 235; chroma neutral.
 */
export function writeQrVideo(
  file: string,
  text: string,
  o: { width?: number; height?: number; frames?: number } = {},
): void {
  const W = o.width ?? 640;
  const H = o.height ?? 480;
  const frames = o.frames ?? 4;
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 4;
  const scale = Math.floor(Math.min(W, H) / (n + 2 * quiet));
  const side = scale * (n + 2 * quiet);
  const x0 = Math.floor((W - side) / 2);
  const y0 = Math.floor((H - side) / 2);
  const y = Buffer.alloc(W * H, 235);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++) {
        const row = (y0 + (r + quiet) * scale + dy) * W;
        y.fill(16, row + x0 + (c + quiet) * scale, row + x0 + (c + quiet + 1) * scale);
      }
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
