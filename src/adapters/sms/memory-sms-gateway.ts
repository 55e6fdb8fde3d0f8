/**
 * An SMS gateway that keeps messages in memory: for tests and in-process harnesses that play the
 * resident's phone. Never used by a deployment.
 */
import type { SmsGateway, SmsMessage } from '../../ports/sms.port.ts';

export class MemorySmsGateway implements SmsGateway {
  readonly messages: SmsMessage[] = [];
  /** when set, deliveries fail (to test retries) */
  failing = false;

  async deliver(m: SmsMessage): Promise<void> {
    if (this.failing) throw new Error('gateway down');
    this.messages.push({ ...m });
  }

  /** The newest message to a phone. */
  last(phone: string): SmsMessage | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--)
      if (this.messages[i]!.phone === phone) return this.messages[i];
    return undefined;
  }

  /** The six-digit code of the newest message to a phone. */
  lastCode(phone: string): string | undefined {
    return /(\d{6})/.exec(this.last(phone)?.text ?? '')?.[1];
  }
}
