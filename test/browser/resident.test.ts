/**
 * Resident page in real Chromium: sign in with phone + one-time code, the QR on screen decodes
 * (from a screenshot) to a token the platform verifies, in the right colour; "why this colour"
 * lists the reason; the last code stays visible with a banner when the network drops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createResident } from '../factories.ts';
import {
  decodeQr,
  DESKTOP,
  ensureWebBuilt,
  HAS_CHROMIUM,
  launch,
  PHONE,
  recordCspViolations,
  recordForeignRequests,
  shot,
  startPlatform,
  writeQrVideo,
  type Platform,
} from './harness.ts';

const VENUE = '花果园购物中心';

describe.skipIf(!HAS_CHROMIUM)('resident page /app in Chromium', () => {
  let platform: Platform;
  let browser: Browser;
  let tmp: string;

  beforeAll(async () => {
    ensureWebBuilt();
    // Short-lived screen codes so the page's own refresh happens during the test.
    platform = await startPlatform({ codeTtlSeconds: 20 });
    // A venue registered by an officer; its printed QR is what the phone camera will see.
    await platform.ctx.auth.addStaff('venue-officer', 'pass-word-123', '场所管理', 'officer', '5201');
    const officer = await platform.ctx.auth.staffLogin('venue-officer', 'pass-word-123');
    const auth = { authorization: `Bearer ${officer.accessToken}` };
    const reg = await platform.app.inject({
      method: 'POST',
      url: '/v1/venues',
      headers: auth,
      payload: {
        name: VENUE,
        category: '商场',
        address: '南明区花果园大街 1 号',
        lat: 26.5645,
        lon: 106.6891,
        adminCode: '520102',
      },
    });
    expect(reg.statusCode, reg.body).toBe(201);
    const venueId = (reg.json() as { venue: { id: number } }).venue.id;
    const png = await platform.app.inject({ url: `/v1/venues/${venueId}/qr.png`, headers: auth });
    const venueToken = decodeQr(png.rawPayload);
    expect(venueToken).toBeTruthy();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'hc-app-'));
    writeQrVideo(path.join(tmp, 'venue.y4m'), venueToken!);
    browser = await launch([
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${path.join(tmp, 'venue.y4m')}`,
    ]);
  }, 600_000); // the first run builds web/dist

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function latestOtp(phone: string): Promise<string> {
    await expect.poll(() => platform.ctx.smsInbox.lastCode(phone)).toBeDefined();
    return platform.ctx.smsInbox.lastCode(phone)!;
  }

  async function signIn(page: Page, phone: string): Promise<void> {
    await page.goto(`${platform.url}/app/`);
    await page.fill('#phone', phone);
    platform.ctx.smsInbox.messages.length = 0;
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.fill('#otp', await latestOtp(phone));
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForSelector('svg.qr');
  }

  it('signs in; the QR in the screenshot verifies; offline banner; venue check-in by camera; a fever declaration turns it orange', async () => {
    const resident = await createResident(platform.ctx, { name: '李小龙' });
    const context = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 1,
      permissions: ['camera'],
    });
    const page = await context.newPage();
    const foreign = recordForeignRequests(page, platform.url);
    const blockedByCsp = recordCspViolations(page);

    await page.goto(`${platform.url}/app/`);
    await page.waitForSelector('#phone');
    await shot(page, 'web-app-signin-phone');
    await signIn(page, resident.phone);
    await page.waitForTimeout(300); // let the first paint of the clock settle
    const png = await shot(page, 'web-app-code-phone');

    const token = decodeQr(png);
    expect(token, 'QR decodes from the screenshot').toMatch(/^JKM1:/);
    const verdict = await platform.ctx.verify.verify(token!);
    expect(verdict).toMatchObject({ valid: true, colour5: 0, kind: 's', maskedName: '李*龙' });
    await expect(page.getByTestId('colour-label').textContent()).resolves.toBe('绿码');
    await expect(page.getByTestId('masked-name').textContent()).resolves.toBe('李*龙');
    expect(await page.getAttribute('.code-card', 'data-colour')).toBe('green');

    // The clock runs: a live page differs from a screenshot a second later.
    const t1 = await page.getByTestId('clock').textContent();
    await page.waitForFunction((t) => document.querySelector('[data-testid=clock]')?.textContent !== t, t1);

    // English switch
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByTestId('colour-label').textContent()).resolves.toBe('Green');
    await page.getByRole('button', { name: '中文' }).click();

    // Network gone: the last code stays, with the offline banner and its age.
    await context.setOffline(true);
    await page.waitForSelector('[data-testid=offline-banner]');
    const offlinePng = await shot(page, 'web-app-offline-phone');
    expect(decodeQr(offlinePng)).toBe(token);
    await expect(page.getByTestId('offline-banner').textContent()).resolves.toMatch(/离线.*前/);
    await context.setOffline(false);
    await page.waitForSelector('[data-testid=offline-banner]', { state: 'detached' });

    // Venue check-in with the phone camera.
    await page.getByRole('button', { name: '扫场所码' }).click();
    await page.getByText(`已登记：${VENUE}`).waitFor();

    // Declaring a fever turns the code orange, and the reason says so.
    await page.fill('#temp', '38.2');
    await page.getByLabel('发热').check();
    await page.getByRole('button', { name: '提交申报' }).click();
    await page.getByText('已提交').waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=colour-label]')?.textContent === '橙码',
    );
    await expect(page.locator('.reasons').textContent()).resolves.toMatch(/发热|体温|症状/);
    await page.evaluate(() => window.scrollTo(0, 0));
    const orange = await platform.ctx.verify.verify(decodeQr(await shot(page, 'web-app-orange-phone')) ?? '');
    expect(orange).toMatchObject({ valid: true, colour5: 2 });

    const desk = await context.newPage();
    await desk.setViewportSize(DESKTOP);
    await desk.goto(`${platform.url}/app/`);
    await desk.waitForSelector('svg.qr');
    const deskPng = await shot(desk, 'web-app-code-desktop');
    expect((await platform.ctx.verify.verify(decodeQr(deskPng) ?? '')).valid).toBe(true);

    expect(foreign).toEqual([]);
    expect(blockedByCsp).toEqual([]);
    await context.close();
  });

  it('a close contact sees a red code and why', async () => {
    const resident = await createResident(platform.ctx, { name: '赵敏' });
    const now = Date.now();
    await platform.ctx.facts.record({
      personId: resident.id,
      type: 'close_contact',
      source: 'health.close-contacts',
      sourceRecordId: `web-test-${resident.id}`,
      eventTime: now - 86_400_000,
      data: {},
    });
    await platform.ctx.statuses.recompute([resident.id]);

    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await signIn(page, resident.phone);
    await page.getByRole('heading', { name: '为什么是这个颜色' }).scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, 0));
    const png = await shot(page, 'web-app-red-phone');
    const verdict = await platform.ctx.verify.verify(decodeQr(png) ?? '');
    expect(verdict).toMatchObject({ valid: true, colour5: 3, colour3: 2 });
    await expect(page.getByTestId('colour-label').textContent()).resolves.toBe('红码');
    const reasons = await page.locator('.reasons li').allTextContents();
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.join(' ')).toMatch(/密接|密切接触/);
    await page.setViewportSize({ width: PHONE.width, height: 2400 });
    await shot(page, 'web-app-red-full-phone');
    await context.close();
  });

  it('renews the code before it expires without taking the QR off the screen', async () => {
    const resident = await createResident(platform.ctx, { name: '王语嫣' });
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await signIn(page, resident.phone);
    const first = await page.getAttribute('svg.qr', 'data-token');
    // Watch for any moment without a QR on screen, and mark the element to see it is reused.
    await page.evaluate(() => {
      const w = window as unknown as { qrGone: number; qrEl: Element | null };
      w.qrGone = 0;
      w.qrEl = document.querySelector('svg.qr');
      new MutationObserver(() => {
        if (!document.querySelector('svg.qr')) w.qrGone++;
      }).observe(document.body, { subtree: true, childList: true });
    });
    await page.waitForFunction(
      (t) => document.querySelector('svg.qr')?.getAttribute('data-token') !== t,
      first,
      { timeout: 40_000 },
    );
    const state = await page.evaluate(() => {
      const w = window as unknown as { qrGone: number; qrEl: Element | null };
      return { gone: w.qrGone, same: w.qrEl === document.querySelector('svg.qr') };
    });
    expect(state).toEqual({ gone: 0, same: true });
    const renewed = decodeQr(await shot(page, 'web-app-renewed-phone'));
    expect(renewed).not.toBe(first);
    expect((await platform.ctx.verify.verify(renewed ?? '')).valid).toBe(true);
    await context.close();
  });
});
