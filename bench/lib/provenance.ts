/**
 * Where a benchmark figure comes from: the commit (and whether the tree had uncommitted changes),
 * the full command line, the machine and its load before and after. Every bench writes this into
 * its result so a figure can be reproduced and judged against the load it was measured under.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

export interface Provenance {
  /** ISO time the run started */
  startedAt: string;
  /** ISO time the result was written */
  finishedAt?: string;
  /** short commit id, with "+changes" when the working tree differed from it */
  commit: string;
  /** the command as typed from the repository root, environment settings that change it included */
  command: string;
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string; os: string };
  /** 1/5/15-minute load averages at the start and at the end */
  load: { start: number[]; end?: number[] };
}

const ROOT = path.resolve(import.meta.dirname, '../..');

function git(args: string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

/** Environment variables that change what a bench measures; recorded as part of its command. */
const RELEVANT_ENV = /^(HC_|DATABASE_URL$|REDIS_URL$|NATS_URL$|UV_THREADPOOL_SIZE$)/;

/** Captures the run's provenance at its start. */
export function startProvenance(): Provenance {
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  const env = Object.entries(process.env)
    .filter(([k]) => RELEVANT_ENV.test(k))
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  const script = path.relative(ROOT, process.argv[1] ?? '');
  const command = [...env, 'node', ...process.execArgv, script, ...process.argv.slice(2)].join(' ');
  const cpu = os.cpus();
  return {
    startedAt: new Date().toISOString(),
    commit: dirty ? `${commit}+changes` : commit,
    command,
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      os: `${os.type()} ${os.release()}`,
    },
    load: { start: os.loadavg().map((x) => +x.toFixed(2)) },
  };
}

/** Completes the provenance when the result is written (end time and load). */
export function finishProvenance(p: Provenance): Provenance {
  return {
    ...p,
    finishedAt: new Date().toISOString(),
    load: { ...p.load, end: os.loadavg().map((x) => +x.toFixed(2)) },
  };
}

/** The provenance as the opening lines of a Markdown report. */
export function provenanceMarkdown(p: Provenance): string {
  return [
    `- Command: \`${p.command}\``,
    `- Commit: \`${p.commit}\`; run ${p.startedAt}${p.finishedAt ? ` – ${p.finishedAt}` : ''}`,
    `- Machine: ${p.machine.cpus} × ${p.machine.cpuModel}, ${p.machine.memGiB} GiB, Node ${p.machine.node}, ${p.machine.os}`,
    `- Load average (1/5/15 min): ${p.load.start.join(' / ')} at the start${p.load.end ? `, ${p.load.end.join(' / ')} at the end` : ''}`,
    '',
  ].join('\n');
}
