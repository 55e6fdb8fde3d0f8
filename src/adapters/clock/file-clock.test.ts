/** The simulation clock: one file moves every process's time; never under NODE_ENV=production. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.ts';
import { FileClock, parseClockSetting, writeClockSetting } from './file-clock.ts';

describe('FileClock', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-clock-'));
  const file = path.join(dir, 'clock');
  let clock: FileClock | undefined;
  afterEach(() => clock?.close());

  it('holds still at rate 0 and follows the file when it is rewritten', async () => {
    writeClockSetting(file, { sim: 1_700_000_000_000, real: Date.now(), rate: 0 });
    clock = new FileClock(file, 5);
    expect(clock.now()).toBe(1_700_000_000_000);
    writeClockSetting(file, { sim: 1_700_000_360_000, real: Date.now(), rate: 0 });
    await expect.poll(() => clock!.now()).toBe(1_700_000_360_000);
  });

  it('runs at its rate from the real moment it was set', () => {
    const real = Date.now() - 1000;
    writeClockSetting(file, { sim: 0, real, rate: 60 });
    clock = new FileClock(file);
    expect(clock.now()).toBeGreaterThanOrEqual(60_000);
  });

  it('refuses a file that is not a setting', () => {
    fs.writeFileSync(file, 'tomorrow');
    expect(parseClockSetting('tomorrow')).toBeUndefined();
    expect(() => new FileClock(file)).toThrow(/HC_TEST_CLOCK/);
  });

  it('is refused in production', () => {
    expect(loadConfig({ HC_TEST_CLOCK: file }).testClockFile).toBe(file);
    expect(() => loadConfig({ HC_TEST_CLOCK: file, NODE_ENV: 'production' })).toThrow(ConfigError);
  });
});
