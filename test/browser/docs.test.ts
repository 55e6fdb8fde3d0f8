/**
 * The API documentation (/docs, Swagger UI) renders in Chromium under the platform's
 * Content-Security-Policy, and no page of the platform can be framed by another site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  DESKTOP,
  ensureWebBuilt,
  HAS_CHROMIUM,
  launch,
  recordCspViolations,
  recordForeignRequests,
  startPlatform,
  type Platform,
} from './harness.ts';

describe.skipIf(!HAS_CHROMIUM)('API docs and framing in Chromium', () => {
  let platform: Platform;
  let browser: Browser;

  beforeAll(async () => {
    ensureWebBuilt();
    platform = await startPlatform({ docs: true });
    browser = await launch();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  it('/docs renders the operations with nothing blocked by the CSP', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const foreign = recordForeignRequests(page, platform.url);
    const blockedByCsp = recordCspViolations(page);
    await page.goto(`${platform.url}/docs/`);
    await page.locator('.opblock').first().waitFor();
    await expect(page.locator('.opblock-summary-path').allTextContents()).resolves.toContain(
      '/v1/trust-list',
    );
    expect(foreign).toEqual([]);
    expect(blockedByCsp).toEqual([]);
    await context.close();
  });

  it('the officer console, the apps and the docs refuse to load inside a frame', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const blockedByCsp = recordCspViolations(page);
    // A page of another origin (about:blank's opaque origin) framing the platform's pages.
    const paths = ['/console/', '/app/', '/scan/', '/docs/'];
    await page.setContent(paths.map((p) => `<iframe src="${platform.url}${p}"></iframe>`).join(''));
    await expect
      .poll(() => blockedByCsp.filter((m) => m.includes('frame-ancestors')).length, { timeout: 30_000 })
      .toBe(paths.length);
    // None of the frames got the page: Chromium shows its error page in each.
    for (const frame of page.frames().slice(1)) {
      expect(await frame.locator('#root, #swagger-ui').count()).toBe(0);
    }
    await context.close();
  });
});
