/** CPU time from Linux /proc, for benchmarks that report CPU per request or per row whatever the load. */
import fs from 'node:fs';

/** user + system CPU seconds so far of process `pid` (all its threads), or of its thread `tid` alone. */
export function procCpuSeconds(pid: number, tid?: number): number {
  const stat = fs.readFileSync(
    tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`,
    'utf8',
  );
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}
