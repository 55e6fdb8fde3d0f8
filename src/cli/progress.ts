/** Progress bars on stderr for long CLI work (hidden when stderr is not a terminal unless forced). */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total?: number, extra?: Record<string, string | number>): void;
  stop(): void;
}

export function progressBar(label: string, total: number, unit = 'items'): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left | {rate}/s`,
      stream: process.stderr,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5000,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = Date.now();
  bar.start(total, 0, { rate: '0' });
  return {
    update(done, newTotal, extra) {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      const secs = (Date.now() - t0) / 1000;
      bar.update(done, { rate: secs > 0 ? Math.round(done / secs).toLocaleString('en') : '0', ...extra });
    },
    stop() {
      bar.stop();
    },
  };
}
