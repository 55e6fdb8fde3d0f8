/**
 * `npm start`: runs the platform. With no configuration: embedded PGlite in ./data, in-process
 * cache and bus, demo mode with a seeded city (Guiyang, CN-52). Set DATABASE_URL, REDIS_URL and
 * NATS_URL for production services, HC_ROLE to run one role (docs/OPERATIONS.md).
 */
import { ConfigError, loadConfig } from './config.ts';
import { createContext } from './roles/context.ts';
import { startProcess } from './roles/process.ts';
import { EXIT_SCHEMA } from './roles/schema.ts';
import { MigrationChangedError, SchemaOutOfDateError } from './ports/schema-migrations.port.ts';
import { seedDemoCity } from './roles/demo-seed.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const ctx = await createContext(config);
  if (config.demo && (config.role === 'all' || config.role === 'api')) {
    const t0 = Date.now();
    const seeded = await seedDemoCity(ctx, config.demoResidents);
    if (seeded)
      ctx.log.info(
        { residents: config.demoResidents, ms: Date.now() - t0 },
        '演示城市已生成 demo city seeded',
      );
  }
  const running = await startProcess(ctx);
  process.stdout.write(running.banner.join('\n') + '\n\n');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, 'stopping');
    await running.stop();
    await ctx.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  // A configuration or schema problem is the operator's to fix: its message, no stack.
  const schema = err instanceof SchemaOutOfDateError || err instanceof MigrationChangedError;
  const expected = err instanceof ConfigError || schema;
  console.error(`启动失败 cannot start: ${err instanceof Error ? err.message : String(err)}`);
  if (!expected && err instanceof Error && err.stack) console.error(err.stack);
  process.exit(schema ? EXIT_SCHEMA : 1);
});
