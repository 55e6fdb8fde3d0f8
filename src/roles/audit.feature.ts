/**
 * The audit log's anchor (docs/SECURITY.md §Audit log): the admin route publishing signed
 * checkpoints, and in the worker role a checkpoint of the head every few minutes when it moved.
 */
import { auditRoutes } from '../http/routes/audit.routes.ts';
import type { AppContext } from './context.ts';

/** how often the worker signs the head, when new entries arrived */
export const AUDIT_CHECKPOINT_MS = 5 * 60_000;

export const auditFeature = {
  name: 'audit',
  routes: auditRoutes,
  async startWorker(ctx: AppContext): Promise<() => Promise<void>> {
    let running: Promise<unknown> = Promise.resolve();
    const tick = () => {
      running = ctx.audit
        .checkpoint()
        .catch((err: unknown) => ctx.log.error({ err }, 'audit checkpoint failed'));
    };
    const timer = setInterval(tick, AUDIT_CHECKPOINT_MS);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  },
};
