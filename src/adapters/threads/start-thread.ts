/**
 * Starts a worker thread from a module beside its caller. Worker threads do not inherit tsx's
 * loader, so when running from TypeScript sources (`node --import tsx`, vitest, `bin/hc.js`) the
 * thread first registers tsx, then imports the entry; built JavaScript starts the entry directly.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** A thread running `entry` (a `.ts` URL, e.g. `new URL('./x-thread.ts', import.meta.url)`). */
export function startThread(entry: URL, workerData?: unknown): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL(entry.href.replace(/\.ts$/, '.js')), { workerData });
  const tsx = resolveTsx();
  const boot =
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })` +
    `.catch((e) => { console.error(e); process.exit(1); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** URL of tsx's register API (import.meta.resolve is missing under some loaders, e.g. vitest). */
function resolveTsx(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    // require() resolves the CommonJS build (index.cjs); its ES module twin sits beside it.
    return pathToFileURL(
      createRequire(import.meta.url)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
  }
}
