/**
 * `npm start`: runs the platform. With no configuration: embedded PGlite in ./data, in-process
 * cache and bus, demo mode with a seeded city (Guiyang, CN-52). Set DATABASE_URL, REDIS_URL and
 * NATS_URL for production services, HC_ROLE to run one role.
 */
import { loadConfig } from './config.ts';
import { createContext } from './roles/context.ts';
import { startRoles } from './roles/api.role.ts';
import { startTestingRole } from './roles/testing.role.ts';
import { seedDemoCity } from './services/demo-seed.service.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const ctx = await createContext(config);
  if (config.demo) {
    const t0 = Date.now();
    const seeded = await seedDemoCity(ctx, config.demoResidents);
    if (seeded)
      ctx.log.info(
        { residents: config.demoResidents, ms: Date.now() - t0 },
        '演示城市已生成 demo city seeded',
      );
  }
  const running = await startRoles(ctx);
  // The testing service: its own server (own port) and schema; in `all` it shares only the process.
  const testing =
    config.role === 'testing' || config.role === 'all' ? await startTestingRole(ctx) : undefined;
  const base = `http://localhost:${config.port}`;
  const lines = [
    '',
    `健康码平台 Health Code Platform — issuer ${config.issuer}, database ${ctx.db.kind}${config.demo ? ', DEMO MODE' : ''}`,
    `  API docs      ${base}/docs`,
    `  Health        ${base}/healthz`,
    `  Trust list    ${base}/v1/trust-list`,
    `  Web apps      ${base}/app/ (居民 resident)  ${base}/scan/ (验码 scanner)  ${base}/console/ (工作台 officer)`,
  ];
  if (testing?.url) lines.push(`  Testing API   ${testing.url}/testing/v1 (核酸检测服务 testing service)`);
  if (testing?.demo)
    lines.push(
      `    collector X-Api-Key: ${testing.demo.testerKey}    lab X-Api-Key: ${testing.demo.labKey}    site ${testing.demo.siteId}`,
    );
  if (config.demo) {
    const acc = (
      await ctx.db.query<{
        value: {
          residents: Array<{ phone: string; colour: string; note: string }>;
          officer: { username: string; password: string };
          admin: { username: string; password: string };
          scanner: { apiKey: string };
        };
      }>("SELECT value FROM settings WHERE key = 'demo.accounts'")
    ).rows[0]?.value;
    lines.push(`  Demo accounts ${base}/v1/demo/accounts`);
    for (const r of acc?.residents ?? [])
      lines.push(`    resident ${r.phone}  ${r.colour.padEnd(6)}  ${r.note}`);
    if (acc) {
      lines.push(
        `    officer  ${acc.officer.username} / ${acc.officer.password}    admin ${acc.admin.username} / ${acc.admin.password}`,
      );
      lines.push(`    scanner  X-Api-Key: ${acc.scanner.apiKey}`);
    }
    lines.push(
      `  Sign in: POST /v1/auth/otp {"phone"} → demoCode, then POST /v1/auth/login {"phone","code"}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n\n');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, 'stopping');
    await running.stop();
    await testing?.stop();
    await ctx.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  if (err instanceof Error && err.stack) console.error(err.stack);
  process.exit(1);
});
