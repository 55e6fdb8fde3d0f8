/**
 * Scanner page in real Chromium: a red resident's code is shown to Chromium's fake camera (a
 * YUV4MPEG2 video of the QR); the page decodes it with the bundled ZXing WebAssembly, verifies it
 * and fills the screen in red with the masked name. With the network cut, a pasted green code is
 * still verified offline from the cached trust list.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
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
  writeQrVideo,
  type Platform,
} from './harness.ts';

describe.skipIf(!HAS_CHROMIUM)('scanner page /scan in Chromium', () => {
  let platform: Platform;
  let browser: Browser;
  let tmp: string;
  let redId: number;

  beforeAll(async () => {
    ensureWebBuilt();
    // 5-minute screen codes: the video is made before Chromium starts, a busy CI box may be slow.
    platform = await startPlatform({ codeTtlSeconds: 300 });
    const red = await createResident(platform.ctx, { name: '钱多多' });
    redId = red.id;
    await platform.ctx.facts.record({
      personId: red.id,
      type: 'close_contact',
      source: 'health.close-contacts',
      sourceRecordId: `web-scan-${red.id}`,
      eventTime: Date.now() - 86_400_000,
      data: {},
    });
    await platform.ctx.statuses.recompute([red.id]);
    const code = await platform.ctx.codes.issue(red.id, 's');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'hc-scan-'));
    const video = path.join(tmp, 'qr.y4m');
    writeQrVideo(video, code.token);
    browser = await launch([
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
  }, 600_000); // the first run builds web/dist

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('camera scan of a red code shows red full screen with the masked name; offline still verifies', async () => {
    const device = await platform.ctx.auth.addDevice('东门闸机', 'scanner');
    const context = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 1,
      permissions: ['camera'],
    });
    const page = await context.newPage();
    const foreign = recordForeignRequests(page, platform.url);
    const blockedByCsp = recordCspViolations(page);
    await page.goto(`${platform.url}/scan/`);
    await page.waitForSelector('[data-testid=start-camera]:not([disabled])');
    await expect(page.getByTestId('trust-info').textContent()).resolves.toMatch(/CN-52/);

    await page.fill('#device-key', device.apiKey);
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('设备密钥已保存').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'web-scan-idle-phone');

    await page.getByTestId('start-camera').click();
    const result = page.getByTestId('scan-result');
    await result.waitFor();
    expect(await result.getAttribute('data-colour')).toBe('red');
    await expect(page.getByTestId('result-colour').textContent()).resolves.toBe('红码');
    // confirmed online: the masked name arrives from POST /v1/verify
    await page.getByTestId('result-name').waitFor();
    await expect(page.getByTestId('result-name').textContent()).resolves.toBe('钱*多');
    await shot(page, 'web-scan-result-red-phone');

    await result.click();
    await page.getByRole('button', { name: '停止扫码' }).click();
    await expect(page.getByTestId('count-stop').textContent()).resolves.not.toBe('0');

    // Network gone: a green code pasted in is verified on the device, colour and kind only.
    const green = await createResident(platform.ctx, { name: '孙悟空' });
    const greenCode = await platform.ctx.codes.issue(green.id, 's');
    await context.setOffline(true);
    await page.getByTestId('offline-banner').waitFor();
    await page.fill('[data-testid=paste]', greenCode.token);
    await page.getByTestId('paste-verify').click();
    await result.waitFor();
    expect(await result.getAttribute('data-colour')).toBe('green');
    await expect(result.textContent()).resolves.toMatch(/本机离线核验/);
    expect(await page.getByTestId('result-name').count()).toBe(0);
    await shot(page, 'web-scan-result-green-offline-phone');
    await result.click();

    // A forged code (signature altered) is rejected offline too.
    const forged = greenCode.token.slice(0, -4) + (greenCode.token.endsWith('0000') ? '1111' : '0000');
    await page.fill('[data-testid=paste]', forged);
    await page.getByTestId('paste-verify').click();
    await result.waitFor();
    expect(await result.getAttribute('data-colour')).toBe('invalid');
    await result.click();
    await context.setOffline(false);

    const desk = await context.newPage();
    await desk.setViewportSize(DESKTOP);
    await desk.goto(`${platform.url}/scan/`);
    await desk.waitForSelector('[data-testid=start-camera]:not([disabled])');
    await shot(desk, 'web-scan-idle-desktop');
    await desk.fill('[data-testid=paste]', (await platform.ctx.codes.issue(redId, 's')).token);
    await desk.getByTestId('paste-verify').click();
    await desk.getByTestId('result-name').waitFor();
    await shot(desk, 'web-scan-result-desktop');

    expect(foreign).toEqual([]);
    expect(blockedByCsp).toEqual([]);
    await context.close();
  });
});
