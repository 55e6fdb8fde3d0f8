/** One-time codes at rest (otp_codes): code HMACs, expiry, tries and per-phone send counters. */
import type { Queryable } from '../../db/database.ts';
import type { NewOtp, OtpSendWindow, OtpStore } from '../../../ports/otp-store.port.ts';

export class OtpRepository implements OtpStore {
  constructor(private readonly db: Queryable) {}

  async sendWindow(phoneHash: Uint8Array): Promise<OtpSendWindow | undefined> {
    const r = (
      await this.db.query<{ sent_at: Date; window_start: Date; window_count: number }>(
        'SELECT sent_at, window_start, window_count FROM otp_codes WHERE phone_hash = $1',
        [phoneHash],
      )
    ).rows[0];
    return (
      r && {
        sentAt: r.sent_at.getTime(),
        windowStart: r.window_start.getTime(),
        windowCount: r.window_count,
      }
    );
  }

  async save(phoneHash: Uint8Array, o: NewOtp): Promise<void> {
    await this.db.query(
      `INSERT INTO otp_codes (phone_hash, code_hash, expires_at, attempts, sent_at, window_start, window_count)
       VALUES ($1, $2, $3, 0, $4, $5, $6)
       ON CONFLICT (phone_hash) DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at,
         attempts = 0, sent_at = EXCLUDED.sent_at, window_start = EXCLUDED.window_start, window_count = EXCLUDED.window_count`,
      [
        phoneHash,
        o.codeHash,
        new Date(o.expiresAt),
        new Date(o.sentAt),
        new Date(o.windowStart),
        o.windowCount,
      ],
    );
  }

  async attempt(
    phoneHash: Uint8Array,
  ): Promise<{ codeHash: Uint8Array; expiresAt: number; attempts: number } | undefined> {
    const r = (
      await this.db.query<{ code_hash: Uint8Array; expires_at: Date; attempts: number }>(
        `UPDATE otp_codes SET attempts = LEAST(attempts + 1, 32767) WHERE phone_hash = $1
         RETURNING code_hash, expires_at, attempts`,
        [phoneHash],
      )
    ).rows[0];
    return r && { codeHash: r.code_hash, expiresAt: r.expires_at.getTime(), attempts: r.attempts };
  }

  async invalidate(phoneHash: Uint8Array): Promise<void> {
    // An empty hash matches no code, and the epoch expiry says so too; the send counters stay.
    await this.db.query(
      `UPDATE otp_codes SET code_hash = '\\x'::bytea, expires_at = to_timestamp(0) WHERE phone_hash = $1`,
      [phoneHash],
    );
  }
}
