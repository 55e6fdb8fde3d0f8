/**
 * The SMS outbox (docs/SECURITY.md): a message is stored sealed (phone and text encrypted),
 * handed to the gateway at once, and deleted when the gateway took it; otherwise the relay retries
 * it until its one-time code expires, and then deletes it undelivered. Nothing of a message is
 * logged. Without a gateway (demo mode) messages just expire.
 */
import type { Logger } from 'pino';
import type { Clock } from '../ports/clock.port.ts';
import type { Secrets } from '../ports/secrets.port.ts';
import type { SmsGateway, SmsOutboxStore, SmsSender } from '../ports/sms.port.ts';

/** How long a failed delivery waits before the relay tries again. */
const RETRY_MS = 10_000;

export class SmsService implements SmsSender {
  constructor(
    private readonly outbox: SmsOutboxStore,
    private readonly gateway: SmsGateway | undefined,
    private readonly secrets: Secrets,
    private readonly clock: Clock,
    private readonly log?: Pick<Logger, 'warn'>,
  ) {}

  /** Queues a message and tries to deliver it at once. */
  async send(phone: string, text: string, expiresAt: number): Promise<void> {
    const now = this.clock.now();
    const id = await this.outbox.add({
      phoneEnc: this.secrets.encrypt(phone),
      textEnc: this.secrets.encrypt(text),
      expiresAt: new Date(expiresAt),
      nextAttemptAt: new Date(now + RETRY_MS),
    });
    if (!this.gateway) return;
    try {
      await this.gateway.deliver({ phone, text });
      await this.outbox.remove(id);
    } catch (err) {
      this.log?.warn({ outboxId: id, err: errorText(err) }, 'sms delivery failed; the relay retries');
    }
  }

  /** Retries due messages and deletes expired ones; returns what it did. */
  async relay(limit = 200): Promise<{ delivered: number; failed: number; expired: number }> {
    const now = this.clock.now();
    const expired = await this.outbox.removeExpired(new Date(now));
    let delivered = 0;
    let failed = 0;
    if (this.gateway) {
      for (const m of await this.outbox.claimDue(new Date(now), new Date(now + RETRY_MS), limit)) {
        try {
          await this.gateway.deliver({
            phone: this.secrets.decryptText(m.phoneEnc),
            text: this.secrets.decryptText(m.textEnc),
          });
          await this.outbox.remove(m.id);
          delivered++;
        } catch (err) {
          failed++;
          this.log?.warn(
            { outboxId: m.id, attempts: m.attempts, err: errorText(err) },
            'sms delivery failed',
          );
        }
      }
    }
    return { delivered, failed, expired };
  }

  /** Messages waiting in the outbox. */
  pending(): Promise<number> {
    return this.outbox.count();
  }
}

// A fetch error's message names the URL at most, never the message.
function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
