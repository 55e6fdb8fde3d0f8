/** The SMS outbox (sms_outbox): sealed messages waiting for the gateway. */
import type { Queryable } from '../../db/database.ts';
import type { SealedSms, SmsOutboxStore } from '../../../ports/sms.port.ts';

export class SmsOutboxRepository implements SmsOutboxStore {
  constructor(private readonly db: Queryable) {}

  async add(m: {
    phoneEnc: Uint8Array;
    textEnc: Uint8Array;
    expiresAt: Date;
    nextAttemptAt: Date;
  }): Promise<number> {
    const r = await this.db.query<{ id: number }>(
      `INSERT INTO sms_outbox (phone_enc, text_enc, expires_at, next_attempt_at, attempts)
       VALUES ($1, $2, $3, $4, 1) RETURNING id`,
      [m.phoneEnc, m.textEnc, m.expiresAt, m.nextAttemptAt],
    );
    return r.rows[0]!.id;
  }

  async claimDue(now: Date, retryAt: Date, limit: number): Promise<SealedSms[]> {
    const r = await this.db.query<{
      id: number;
      phone_enc: Uint8Array;
      text_enc: Uint8Array;
      expires_at: Date;
      attempts: number;
    }>(
      `UPDATE sms_outbox SET next_attempt_at = $2, attempts = attempts + 1
        WHERE id IN (SELECT id FROM sms_outbox WHERE next_attempt_at <= $1 AND expires_at > $1
                      ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id, phone_enc, text_enc, expires_at, attempts`,
      [now, retryAt, limit],
    );
    return r.rows.map((x) => ({
      id: x.id,
      phoneEnc: x.phone_enc,
      textEnc: x.text_enc,
      expiresAt: x.expires_at,
      attempts: x.attempts,
    }));
  }

  async remove(id: number): Promise<void> {
    await this.db.query('DELETE FROM sms_outbox WHERE id = $1', [id]);
  }

  async removeExpired(now: Date): Promise<number> {
    return (await this.db.query('DELETE FROM sms_outbox WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }

  async count(): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sms_outbox')).rows[0]?.n ?? 0;
  }
}
