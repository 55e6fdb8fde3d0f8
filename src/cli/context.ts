/** Opens the configured platform for a CLI command and closes it afterwards. */
import { loadConfig } from '../config.ts';
import { createContext, type AppContext } from '../roles/context.ts';
import pino from 'pino';
import { CommanderError } from 'commander';

let given: AppContext | undefined;

/**
 * Runs the commands of this process on `ctx` instead of opening (and closing) the configured
 * platform each time: tests run many commands on one context. `undefined` restores the default.
 */
export function runCommandsOn(ctx: AppContext | undefined): void {
  given = ctx;
}

export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  if (given) return fn(given);
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

/** Exit code of a command refused for a bad argument or option (nothing was done). */
export const EXIT_USAGE = 2;

/** Refuses a bad argument: the message, Chinese first, and exit code EXIT_USAGE. */
export function usage(message: string): void {
  fail(message, EXIT_USAGE);
}

/**
 * The exit code of a command-line parse error (unknown option, missing argument): EXIT_USAGE,
 * like a refused argument; 0 for --help and --version.
 */
export function parseErrorExitCode(err: CommanderError): number {
  return err.exitCode === 0 ? 0 : EXIT_USAGE;
}

export { CommanderError };
