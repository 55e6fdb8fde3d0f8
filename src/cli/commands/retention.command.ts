/** `hc retention run`: drops location partitions past the retention window and expired facts. */
import type { Command } from 'commander';
import { retention } from '../../roles/feeds.feature.ts';
import { withContext } from '../context.ts';
import { exitWhenDone } from './import.command.ts';

export function registerRetentionCommand(program: Command): void {
  program
    .command('retention')
    .description('数据保留 Retention of location data and facts')
    .command('run')
    .description(
      '删除超过保留期的数据 Drop pings/stays day partitions older than HC_RETENTION_DAYS (default 21) and expired facts',
    )
    .option('--dry-run', '只列出不删除 list what would be dropped')
    .option('--json', 'JSON 输出 print the report as JSON')
    .action((o: { dryRun?: boolean; json?: boolean }) =>
      withContext(async (ctx) => {
        const r = await retention(ctx, { dryRun: o.dryRun === true });
        await ctx.audit.append({
          actor: 'cli',
          action: 'retention.run',
          detail: { ...r, dryRun: o.dryRun === true },
        });
        if (o.json) return void process.stdout.write(JSON.stringify(r) + '\n');
        process.stdout.write(
          `保留期 retention ${ctx.config.retentionDays} days, cutoff ${r.cutoff}${o.dryRun ? ' (dry run 仅预览)' : ''}\n` +
            `dropped partitions ${r.droppedPartitions.length}${r.droppedPartitions.length ? `: ${r.droppedPartitions.join(', ')}` : ''}\n` +
            `deleted expired facts ${r.deletedFacts}, trips ${r.deletedTrips}\n`,
        );
      }).then(exitWhenDone),
    );
}
