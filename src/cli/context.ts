/** Opens the configured platform for a CLI command and closes it afterwards. */
import { loadConfig } from '../config.ts';
import { createContext, type AppContext } from '../roles/context.ts';
import pino from 'pino';

export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const ctx = await createContext(config, {
    log: pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2)),
  });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** Prints an error the way every command does and sets the exit code. */
export function fail(message: string, code = 1): void {
  process.stderr.write(`错误 error: ${message}\n`);
  process.exitCode = code;
}
