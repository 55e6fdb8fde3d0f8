/** Demo mode only: who to sign in as. The route does not exist outside demo mode. */
import type { App } from '../app.ts';
import type { AppContext } from '../../roles/context.ts';

export function demoRoutes(app: App, ctx: AppContext): void {
  if (!ctx.config.demo) return;
  app.get(
    '/v1/demo/accounts',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['demo'],
        summary: '演示账号 Demo residents, scanner key and officer (demo mode only)',
      },
    },
    async () => {
      const row = (
        await ctx.db.query<{ value: unknown }>("SELECT value FROM settings WHERE key = 'demo.accounts'")
      ).rows[0];
      return row?.value ?? { residents: [], scanner: null, officer: null };
    },
  );
}
