/**
 * `hc testing …`: run and operate the nucleic-acid testing service — serve it, add sites and
 * slots, look at the outbox and open retest orders, drain the outbox by hand.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { createContext } from '../../roles/context.ts';
import { startTestingRole, type TestingRunning } from '../../roles/nat-testing.role.ts';
import type { AppContext } from '../../roles/context.ts';
import { fail, withContext } from '../context.ts';
import { readCheckpoints, reportAuditVerify } from './core.command.ts';

/** The operator at the command line acts for the whole province (audited as "cli"). */
const CLI = { actor: 'cli', regionPrefix: '' };

/** Opens the testing service without its HTTP listener or relay, for one command. */
async function withTesting(fn: (t: TestingRunning, ctx: AppContext) => Promise<void>): Promise<void> {
  await withContext(async (ctx) => {
    const t = await startTestingRole(ctx, {
      listen: false,
      env: { ...process.env, HC_TESTING_RELAY: 'off' },
    });
    try {
      await fn(t, ctx);
    } finally {
      await t.stop();
    }
  });
}

export function registerTestingCommand(program: Command): void {
  const testing = program.command('testing').description('核酸检测服务 Nucleic-acid testing service');

  testing
    .command('serve')
    .description(
      '启动检测服务 Run the testing service (same as HC_ROLE=testing npm start); port HC_TESTING_PORT or PORT',
    )
    .action(async () => {
      const config = loadConfig({ ...process.env, HC_ROLE: 'testing' });
      const ctx = await createContext(config);
      await ctx.keys.ensureKey();
      const running = await startTestingRole(ctx);
      process.stdout.write(`核酸检测服务 testing service: ${running.url}/testing/v1\n`);
      const stop = async () => {
        await running.stop();
        await ctx.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
      // Serve until a signal: the CLI exits when an action's promise settles.
      await new Promise<void>(() => undefined);
    });

  testing
    .command('site-add <name>')
    .description('新增采样点 Add a testing site')
    .requiredOption('--region <code>', 'GB/T 2260 six-digit region code 行政区划代码')
    .option('--address <text>', 'address 地址', '')
    .action((name: string, o: { region: string; address: string }) =>
      withTesting(async (t) => {
        if (!/^\d{6}$/.test(o.region)) return fail('--region must be six digits');
        process.stdout.write(
          JSON.stringify(
            await t.testing.sites.addSite(CLI, { name, regionCode: o.region, address: o.address }),
          ) + '\n',
        );
      }),
    );

  testing
    .command('slots-add <siteId>')
    .description('新增预约时段 Add consecutive time slots to a site')
    .requiredOption('--from <time>', 'first slot start (ISO time) 开始时间')
    .option('--count <n>', 'number of slots 时段数', '16')
    .option('--minutes <n>', 'slot length, minutes 时长', '30')
    .option('--capacity <n>', 'people per slot 容量', '200')
    .action((siteId: string, o: { from: string; count: string; minutes: string; capacity: string }) =>
      withTesting(async (t) => {
        const from = Date.parse(o.from);
        if (!Number.isFinite(from)) return fail('--from must be a time, e.g. 2026-11-27T08:00:00+08:00');
        const len = Number(o.minutes) * 60_000;
        const slots = Array.from({ length: Number(o.count) }, (_, i) => ({
          startsAt: from + i * len,
          endsAt: from + (i + 1) * len,
          capacity: Number(o.capacity),
        }));
        const made = await t.testing.sites.addSlots(CLI, Number(siteId), slots);
        process.stdout.write(
          `${made.length} slots 个时段, ${made[0]?.startsAt} … ${made[made.length - 1]?.endsAt}\n`,
        );
      }),
    );

  testing
    .command('outbox')
    .description('发件箱状态 Outbox: events waiting to be published, oldest first')
    .action(() =>
      withTesting(async (t) => {
        const r = await t.testing.db.query<{ pending: number; published: number; oldest: Date | null }>(
          `SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS pending, count(*) FILTER (WHERE published_at IS NOT NULL)::int AS published,
                  min(created_at) FILTER (WHERE published_at IS NULL) AS oldest FROM testing.outbox`,
        );
        const x = r.rows[0];
        process.stdout.write(
          `pending 待发布 ${x?.pending ?? 0}, published 已发布 ${x?.published ?? 0}${x?.oldest ? `, oldest pending since ${x.oldest.toISOString()}` : ''}\n`,
        );
      }),
    );

  testing
    .command('relay')
    .description('手动转发发件箱 Publish the outbox now, until empty (the service does this by itself)')
    .action(() =>
      withTesting(async (t) => {
        let total = 0;
        for (let n = await t.testing.relay.relayOnce(); n > 0; n = await t.testing.relay.relayOnce())
          total += n;
        process.stdout.write(`published 已发布 ${total}\n`);
      }),
    );

  testing
    .command('retests')
    .description('待复检名单 Open retest orders (members of positive pooled or invalid tubes)')
    .option('--limit <n>', 'how many', '50')
    .action((o: { limit: string }) =>
      withTesting(async (t) => {
        const open = await t.testing.lab.openRetests(Number(o.limit));
        for (const x of open)
          process.stdout.write(
            `${x.orderedAt}  ${x.reason.padEnd(15)}  ${x.lab}  ${x.tube}  ${x.personRef}\n`,
          );
        process.stdout.write(`${open.length} open 未完成\n`);
      }),
    );

  testing
    .command('audit-verify')
    .description(
      '校验检测服务审计链 Check the testing service audit log: its hash chain and the signed checkpoints',
    )
    .option(
      '--checkpoints <file>',
      'checkpoints kept elsewhere: JSON printed by `hc testing audit-checkpoint`',
    )
    .action((o: { checkpoints?: string }) =>
      withTesting(async (t) => {
        const published = o.checkpoints ? readCheckpoints(o.checkpoints) : [];
        reportAuditVerify(await t.testing.audit.verify(published));
      }),
    );

  testing
    .command('audit-checkpoint')
    .description(
      '签名检测服务审计检查点 Sign a checkpoint of the testing audit log head and print it as JSON (keep a copy elsewhere)',
    )
    .action(() =>
      withTesting(async (t, ctx) => {
        await ctx.keys.ensureKey();
        const cp = (await t.testing.audit.checkpoint()) ?? (await t.testing.audit.checkpoints(1))[0];
        if (!cp) return fail('审计日志为空，无可签名 the audit log is empty: nothing to anchor');
        process.stdout.write(`${JSON.stringify(cp)}\n`);
      }),
    );
}
