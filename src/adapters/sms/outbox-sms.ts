/**
 * Embedded SMS: messages go to the sms_outbox table (a gateway would drain it) and to the log,
 * so a developer can read one-time codes without a phone.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Secrets } from '../crypto/secrets.ts';
import { maskPhone } from '../../domain/mask.ts';
import type { SmsSender } from '../../ports/sms.port.ts';

export class OutboxSms implements SmsSender {
  constructor(
    private readonly db: Database,
    private readonly secrets: Secrets,
    private readonly log: Logger | undefined,
  ) {}

  async send(phone: string, body: string): Promise<void> {
    await this.db.query('INSERT INTO sms_outbox (phone_enc, phone_masked, body) VALUES ($1, $2, $3)', [
      this.secrets.encrypt(phone),
      maskPhone(phone),
      body,
    ]);
    this.log?.info({ to: maskPhone(phone), body }, 'sms queued');
  }
}
