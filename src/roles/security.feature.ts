/**
 * Background work of the security area (docs/SECURITY.md), in the worker role: the SMS outbox
 * relay (retries, and deletion of messages whose code expired).
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
    const tick = () => {
      running = ctx.sms.relay().catch((err: unknown) => ctx.log.error({ err }, 'sms relay failed'));
    };
    const timer = setInterval(tick, SMS_RELAY_MS);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  },
};
