/**
 * Runs a child process and waits for it without blocking the test's event loop.
 *
 * `spawnSync` froze the test worker for as long as the child ran (tens of seconds for a Node
 * process on a loaded machine); the worker could not answer the test runner meanwhile, and vitest
 * failed the run with "Timeout calling onTaskUpdate". This waits asynchronously instead.
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

export interface ChildRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

type RunOptions = Pick<SpawnOptions, 'cwd' | 'env'> & {
  timeoutMs?: number;
  /** polled every 100 ms with the standard error so far: SIGKILL once it answers true */
  killWhen?: (stderr: string) => boolean | Promise<boolean>;
};

/** `command args…`, its exit status and output; killed (SIGKILL) after `timeoutMs`. */
export function runChild(command: string, args: readonly string[], opts: RunOptions = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    const { killWhen } = opts;
    const poll = killWhen
      ? setInterval(() => {
          void Promise.resolve(killWhen(stderr)).then((yes) => {
            if (yes && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          });
        }, 100)
      : undefined;
    const done = () => {
      clearTimeout(timer);
      clearInterval(poll);
    };
    child.on('error', (err) => {
      done();
      reject(err);
    });
    child.on('close', (status, signal) => {
      done();
      resolve({ status, signal, stdout, stderr });
    });
  });
}

const ROOT = path.resolve(import.meta.dirname, '..');
const BUNDLES = path.join(ROOT, 'node_modules/.cache/hc-test-bundles');
const bundles = new Map<string, Promise<string>>();
/** this process's bundle files, removed when it exits */
const written = new Set<string>();
process.once('exit', () => {
  for (const f of written) fs.rmSync(f, { force: true });
});

/**
 * Every `import.meta.url` keeps the URL of the source file it is written in, so paths the code
 * finds beside itself (migrations, web/dist, thread entries) are the sources' own, as under tsx.
 */
const sourceUrls: Plugin = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await fs.promises.readFile(args.path, 'utf8')).replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};

/**
 * A TypeScript entry point of this repository (`src/main.ts`, `src/cli/main.ts`) bundled into one
 * JavaScript file, once per test process; packages stay outside the bundle. Started with
 * `node --import tsx`, a child spent ~2.5 s of CPU loading its ~300 modules through tsx's loader
 * hooks (more than the work most of these tests give it); from one file, under 1 s. Same code,
 * compiled by esbuild as tsx compiles it; worker threads still start from the sources through tsx.
 */
export function bundledEntry(entry: string): Promise<string> {
  const source = path.resolve(ROOT, entry);
  let out = bundles.get(source);
  if (!out) {
    const file = path.join(
      BUNDLES,
      `${path.relative(ROOT, source).replace(/[/\\]/g, '_').replace(/\.ts$/, '')}-${process.pid}.mjs`,
    );
    out = build({
      entryPoints: [source],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      plugins: [sourceUrls],
      logLevel: 'silent',
    }).then(() => {
      written.add(file);
      return file;
    });
    bundles.set(source, out);
  }
  return out;
}

/** A TypeScript entry point of this repository run by Node (bundled: `bundledEntry`), then its arguments. */
export async function runTs(args: readonly string[], opts: RunOptions = {}): Promise<ChildRun> {
  const [entry, ...rest] = args;
  if (!entry) throw new Error('runTs: no entry point');
  return runChild(process.execPath, [await bundledEntry(entry), ...rest], opts);
}
