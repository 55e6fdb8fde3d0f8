/**
 * A test clock for simulations (`hc simulate`, docs/OPERATIONS.md "Simulation"): every process
 * started with HC_TEST_CLOCK=<file> reads the time from that file, so one writer moves the clock
 * of a whole topology at once. Never in production (config refuses it under NODE_ENV=production).
 *
 * The file holds `<simulated epoch ms> <real epoch ms> <rate>`: now = sim + (Date.now() − real) ×
 * rate; rate 0 holds the clock still at `sim`. Re-read every `pollMs`; a writer that moved the
 * clock waits longer than that before relying on it.
 */
import fs from 'node:fs';
import type { Clock } from '../../ports/clock.port.ts';

export interface ClockSetting {
  sim: number;
  real: number;
  rate: number;
}

/** Parses the file's text; undefined when it is not a setting. */
export function parseClockSetting(text: string): ClockSetting | undefined {
  const parts = text.trim().split(/\s+/).map(Number);
  const [sim, real, rate] = parts;
  if (parts.length !== 3 || !Number.isFinite(sim) || !Number.isFinite(real) || !Number.isFinite(rate))
    return undefined;
  return { sim: sim!, real: real!, rate: rate! };
}

/** Writes a setting atomically (rename), for the simulation that drives the clock. */
export function writeClockSetting(file: string, s: ClockSetting): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${s.sim} ${s.real} ${s.rate}\n`);
  fs.renameSync(tmp, file);
}

export class FileClock implements Clock {
  private setting: ClockSetting;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly file: string,
    pollMs = 20,
  ) {
    const s = this.read();
    if (!s) throw new Error(`HC_TEST_CLOCK: ${file} does not hold "<sim ms> <real ms> <rate>"`);
    this.setting = s;
    this.timer = setInterval(() => {
      const next = this.read();
      if (next) this.setting = next;
    }, pollMs);
    this.timer.unref();
  }

  now(): number {
    const s = this.setting;
    return s.rate === 0 ? s.sim : Math.floor(s.sim + (Date.now() - s.real) * s.rate);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private read(): ClockSetting | undefined {
    try {
      return parseClockSetting(fs.readFileSync(this.file, 'utf8'));
    } catch {
      return undefined;
    }
  }
}
