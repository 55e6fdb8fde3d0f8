/**
 * Runs a child process and waits for it without blocking the test's event loop.
 *
 * `spawnSync` froze the test worker for as long as the child ran (tens of seconds for a Node
 * process on a loaded machine); the worker could not answer the test runner meanwhile, and vitest
 * failed the run with "Timeout calling onTaskUpdate". This waits asynchronously instead.
 */
import { spawn, type SpawnOptions } from 'node:child_process';

export interface ChildRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `command args…`, its exit status and output; killed (SIGKILL) after `timeoutMs`. */
export function runChild(
  command: string,
  args: readonly string[],
  opts: Pick<SpawnOptions, 'cwd' | 'env'> & { timeoutMs?: number } = {},
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** A TypeScript entry point of this repository run by Node through tsx, as `npm start` runs it. */
export function runTs(
  args: readonly string[],
  opts: Pick<SpawnOptions, 'cwd' | 'env'> & { timeoutMs?: number } = {},
): Promise<ChildRun> {
  return runChild(process.execPath, ['--import', 'tsx', ...args], opts);
}
