/**
 * Resident page in real Chromium: sign in with phone + one-time code, the QR on screen decodes
 * (from a screenshot) to a token the platform verifies, in the right colour; "why this colour"
 * lists the reason; the last code stays visible with a banner when the network drops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createResident } from '../factories.ts';
import { decodeQr, DESKTOP, ensureWebBuilt, HAS_CHROMIUM, launch, PHONE, recordForeignRequests, shot, startPlatform, type Platform } from './harness.ts';

describe.skipIf(!HAS_CHROMIUM)('resident page /app in Chromium', () => {
  let platform: Platform;
  let browser: Browser;

  beforeAll(async () => {
    ensureWebBuilt();
    platform = await startPlatform();
    browser = await launch();
  }, 600_000); // the first run builds web/dist

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  async function latestOtp(): Promise<string> {
    for (let i = 0; i < 50; i++) {
      const row = (await platform.ctx.db.query<{ body: string }>('SELECT body FROM sms_outbox ORDER BY id DESC LIMIT 1')).rows[0];
      const code = /(\d{6})/.exec(row?.body ?? '')?.[1];
      if (code) return code;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no OTP sent');
  }

  async function signIn(page: Page, phone: string): Promise<void> {
    await page.goto(`${platform.url}/app/`);
    await page.fill('#phone', phone);
    await platform.ctx.db.query('DELETE FROM sms_outbox');
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.fill('#otp', await latestOtp());
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForSelector('svg.qr');
  }

  it('signs in, and the QR in the screenshot is a valid green code', async () => {
    const resident = await createResident(platform.ctx, { name: '李小龙' });
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const foreign = recordForeignRequests(page, platform.url);

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

    const desk = await context.newPage();
    await desk.setViewportSize(DESKTOP);
    await desk.goto(`${platform.url}/app/`);
    await desk.waitForSelector('svg.qr');
    const deskPng = await shot(desk, 'web-app-code-desktop');
    expect((await platform.ctx.verify.verify(decodeQr(deskPng) ?? '')).valid).toBe(true);

    expect(foreign).toEqual([]);
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
});
