/**
 * Background work of the security area (docs/SECURITY.md), in the worker role: the SMS outbox
 * relay (retries, and deletion of messages whose code expired) and the purge of ended sessions.
 */
import type { AppContext } from './context.ts';

const SMS_RELAY_MS = 5_000;

export const securityFeature = {
  name: 'security',
  async startWorker(ctx: AppContext): Promise<() => Promise<void>> {
    if (!ctx.config.demo && !ctx.config.smsWebhookUrl)
      ctx.log.warn(
        'no SMS gateway (HC_SMS_WEBHOOK_URL): one-time codes are kept sealed until they expire and never delivered',
      );
    let running: Promise<unknown> = Promise.resolve();
    let ticks = 0;
    const tick = () => {
      running = ctx.sms.relay().catch((err: unknown) => ctx.log.error({ err }, 'sms relay failed'));
      // ended sessions older than a week, once every ~10 minutes
      if (ticks++ % 120 === 0)
        running = Promise.all([
          running,
          ctx.sessions.purge().catch((err: unknown) => ctx.log.error({ err }, 'session purge failed')),
        ]);
    };
    const timer = setInterval(tick, SMS_RELAY_MS);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  },
};
