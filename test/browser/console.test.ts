/**
 * Officer console in real Chromium: staff sign-in, the colour dashboard with its uPlot chart,
 * a published risk area drawn on the MapLibre map (WebGL through SwiftShader), person lookup
 * limited to the officer's region, and policy versions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { createResident } from '../factories.ts';
import {
  DESKTOP,
  ensureWebBuilt,
  HAS_CHROMIUM,
  launch,
  PHONE,
  recordCspViolations,
  recordForeignRequests,
  shot,
  startPlatform,
  type Platform,
} from './harness.ts';

const AREA = '南明区花果园某小区';

/** Pixels clearly warmer than the map's blue-grey background: the drawn area. */
function warmPixels(png: Buffer): number {
  const img = PNG.sync.read(png);
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const r = img.data[i]!;
    const g = img.data[i + 1]!;
    const b = img.data[i + 2]!;
    if (r > g + 40 && r > b + 60) n++;
  }
  return n;
}

describe.skipIf(!HAS_CHROMIUM)('officer console /console in Chromium', () => {
  let platform: Platform;
  let browser: Browser;
  let inRegionDoc: string;
  let outOfRegionDoc: string;
  let closeContactId: number;
  let officerId: string;
  let adminId: string;

  beforeAll(async () => {
    ensureWebBuilt();
    platform = await startPlatform();
    const { ctx } = platform;
    // Ids of several digits, so finding one on the screen means it is shown.
    await ctx.db.query(`SELECT setval(pg_get_serial_sequence('staff', 'id'), 4700)`);
    officerId = String(await ctx.auth.addStaff('officer-web', 'pass-word-123', '王警官', 'officer', '5201'));
    adminId = String(await ctx.auth.addStaff('admin-web', 'pass-word-123', '李娜', 'admin', ''));
    const a = await createResident(ctx, { name: '周芷若' });
    inRegionDoc = a.input.docNumber;
    const b = await createResident(ctx, { name: '张无忌', regionCode: '520302' });
    outOfRegionDoc = b.input.docNumber;
    const c = await createResident(ctx, { name: '殷素素' });
    // A department pushes a close-contact list entry: the resident turns red and a task opens.
    const peer = await ctx.auth.addDevice('卫健委 health commission', 'peer');
    const pushed = await platform.app.inject({
      method: 'POST',
      url: '/v1/feeds/key-population',
      headers: { 'x-api-key': peer.apiKey },
      payload: {
        sourceId: `mj-${c.id}`,
        docType: 10,
        docNumber: c.input.docNumber,
        category: 'close_contact',
        list: '南明区密接 11-26',
        tier: 'high',
      },
    });
    expect(pushed.statusCode, pushed.body).toBe(201);
    await ctx.settle();
    await ctx.statuses.recompute([a.id, b.id, c.id]);
    closeContactId = c.id;

    // Publish a medium-risk area through the API, as an officer would.
    const login = await ctx.auth.staffLogin('officer-web', 'pass-word-123');
    const res = await platform.app.inject({
      method: 'POST',
      url: '/v1/risk-areas',
      headers: { authorization: `Bearer ${login.accessToken}` },
      payload: {
        name: AREA,
        level: 'medium',
        center: { lat: 26.5645, lon: 106.6891 },
        radiusM: 400,
        regionCode: '520102',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    browser = await launch([
      '--enable-unsafe-swiftshader',
      '--use-angle=swiftshader',
      '--enable-webgl',
      '--ignore-gpu-blocklist',
    ]);
  }, 600_000); // the first run builds web/dist

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  async function signIn(page: Page, username = 'officer-web'): Promise<void> {
    await page.goto(`${platform.url}/console/`);
    await page.fill('#username', username);
    await page.fill('#password', 'pass-word-123');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByTestId('tile-green').waitFor();
  }

  /**
   * The header and the signed-in line show the name, the role and the region by name, Chinese
   * first: never the username, a role code, the region code or an account id.
   */
  async function expectNamedHeader(page: Page, who: string, identifiers: string[]): Promise<void> {
    await expect(page.getByTestId('who').locator('.who-line').textContent()).resolves.toBe(who);
    const seen =
      (await page.locator('header.topbar').innerText()) + (await page.getByTestId('who').innerText());
    for (const id of identifiers) expect(seen, `header shows ${id}`).not.toContain(id);
    expect(seen, 'a bare role code').not.toMatch(/(^|[^ a-z])(officer|admin)\b/i);
  }

  it('shows the colour chart, the risk area on the map, region-limited lookup and policies', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const foreign = recordForeignRequests(page, platform.url);
    const blockedByCsp = recordCspViolations(page);
    await page.goto(`${platform.url}/console/`);
    await page.waitForSelector('#username');
    await shot(page, 'web-console-signin-desktop');
    await signIn(page);
    await expectNamedHeader(page, '王警官 · 防疫人员 Health officer · 贵阳市', [
      'officer-web',
      '5201',
      officerId,
    ]);

    // Dashboard: counts for the region and the uPlot chart.
    await page.waitForFunction(
      () => document.querySelector('[data-testid=tile-green] .tile-value')?.textContent !== '—',
    );
    await expect(page.locator('[data-testid=tile-green] .tile-value').textContent()).resolves.toBe('1');
    await expect(page.locator('[data-testid=tile-red] .tile-value').textContent()).resolves.toBe('1');
    await page.locator('[data-testid=chart] canvas').waitFor();
    await expect(page.locator('.u-legend').textContent()).resolves.toMatch(/绿码.*红码/);
    await shot(page, 'web-console-dashboard-desktop');

    // Risk areas: the published area is listed and drawn on the map canvas.
    await page.click('[data-tab=map]');
    await page.getByText(AREA).waitFor();
    await page.waitForSelector('[data-testid=map][data-ready=yes]', { timeout: 30_000 });
    await page.locator('[data-testid=map] canvas').waitFor();
    const mapPng = await page.getByTestId('map').screenshot();
    expect(warmPixels(mapPng), 'the medium-risk area is drawn').toBeGreaterThan(500);
    await shot(page, 'web-console-map-desktop');

    // Lookup: inside the region works, outside reads as not found.
    await page.click('[data-tab=lookup]');
    await page.fill('#doc-number', inRegionDoc);
    await page.getByRole('button', { name: '查询', exact: true }).click();
    await page.getByTestId('person').waitFor();
    await expect(page.getByTestId('person').textContent()).resolves.toMatch(/周\*若/);
    await shot(page, 'web-console-lookup-desktop');
    await page.fill('#doc-number', outOfRegionDoc);
    await page.getByRole('button', { name: '查询', exact: true }).click();
    await page.getByText('本辖区内查无此人').waitFor();

    await page.click('[data-tab=policies]');
    await page.getByTestId('policy-table').waitFor();
    await expect(page.getByTestId('policy-table').textContent()).resolves.toMatch(/生效中/);

    // Key populations: the close contact is counted and listed; filters narrow the list.
    await page.click('[data-tab=kp]');
    await page.getByTestId('task-table').waitFor();
    await expect(page.getByTestId('task-table').textContent()).resolves.toContain(`#${closeContactId}`);
    await page.selectOption('#f-cat', 'companion');
    await page.getByText('没有符合条件的人员').waitFor();
    await page.selectOption('#f-cat', 'close_contact');
    await page.getByTestId('task-table').waitFor();
    await shot(page, 'web-console-keypop-desktop');

    // Tasks: the open task moves to "contacted" with one click.
    await page.click('[data-tab=tasks]');
    await page.getByTestId('task-table').waitFor();
    await page.getByRole('button', { name: '→ 已联系' }).click();
    await page.getByText('没有任务').waitFor(); // no open task left
    await page.selectOption('#task-state', 'contacted');
    await page.getByTestId('task-table').waitFor();
    await page.getByRole('button', { name: `查看 #${closeContactId}` }).click();
    await page.getByTestId('person').waitFor();
    await expect(page.getByTestId('person').textContent()).resolves.toMatch(/殷\*素/);
    await shot(page, 'web-console-tasks-desktop');

    // Phone size still works.
    const phone = await context.newPage();
    await phone.setViewportSize(PHONE);
    await signIn(phone); // the session lives in sessionStorage: one per tab
    await expectNamedHeader(phone, '王警官 · 防疫人员 Health officer · 贵阳市', [
      'officer-web',
      '5201',
      officerId,
    ]);
    const who = await phone.getByTestId('who').boundingBox();
    expect(who && who.x >= 0 && who.x + who.width <= PHONE.width, 'the signed-in line fits 360 px').toBe(
      true,
    );
    await phone.locator('[data-testid=chart] canvas').waitFor();
    await shot(phone, 'web-console-dashboard-phone');
    await phone.click('[data-tab=map]');
    await phone.waitForSelector('[data-testid=map][data-ready=yes]', { timeout: 30_000 });
    await shot(phone, 'web-console-map-phone');

    expect(foreign).toEqual([]);
    expect(blockedByCsp).toEqual([]);
    await context.close();
  });

  it('an administrator’s header names them and their role, at 360 px too', async () => {
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await signIn(page, 'admin-web');
    await expectNamedHeader(page, '李娜 · 系统管理员 Administrator · 全部地区 All regions', [
      'admin-web',
      adminId,
    ]);
    await shot(page, 'web-console-header-admin-phone');
    await context.close();
  });
});
